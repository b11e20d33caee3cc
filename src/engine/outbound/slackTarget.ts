// A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, Discord's /slack
// endpoint): POST {"text"} with mrkdwn; Slack answers 200 "ok". Its URL is a secret, kept sealed.
import { parseRetryAfter } from '../../core/outboundRetry.ts';
import { notificationText } from './notificationText.ts';
import { httpResult, type TargetSender } from './targets.ts';

export const sendSlack: TargetSender = async ({ secret, event, now, http }) => {
  if (typeof secret.url !== 'string') return { kind: 'failed', error: 'the notification has no URL', permanent: true };
  const text = notificationText(event.type, event.data);
  const body = JSON.stringify({
    text: [`*${text.title}*`, ...text.lines, ...(text.url ? [`<${text.url}|Open the contact>`] : [])].join('\n'),
  });
  const response = await http.request({
    url: secret.url,
    headers: { 'content-type': 'application/json', 'user-agent': 'QuotaHit-Notifications/1' },
    body,
  });
  return httpResult(response, parseRetryAfter(response.headers['retry-after'], now));
};
