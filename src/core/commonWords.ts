// Word lists for the "no invented facts" check. A capitalized word is suspicious unless the input
// contains it or it is ordinary language. Sentence starts may be any common word ("Thanks", "Quick");
// in the middle of a sentence only words that are always capitalized pass (weekdays, months, "I").

/** Capitalized anywhere without being a fact about anyone. */
export const ALWAYS_CAPITALIZED: readonly string[] = [
  'i',
  "i'm",
  "i'd",
  "i've",
  "i'll",
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'linkedin',
  'whatsapp',
  'sms',
  'email',
  'ok',
  'ps',
  'p.s',
  'stop',
  'ai',
  'faq',
  'q&a',
  'english',
  'mr',
  'ms',
  'mrs',
  'dr',
];

/** Ordinary words allowed with a capital at the start of a sentence, a line or a heading. */
export const SENTENCE_WORDS: readonly string[] = (
  'a about above absolutely across actually after afternoon again agenda ago all also although always ' +
  'am an and another any anyone anything anyway appreciate are around as ask asking at aware back ' +
  'be because been before being best better between both brief briefly but by call calling can ' +
  'cheers circling close closing congrats congratulations could curious currently day dear did ' +
  'discovery do does doing done during each easy either else enjoy even evening ever every ' +
  'everyone fair feel few figured final finally fine first for from further glad go going good ' +
  'got great greetings had happy has have having he hello help helpful here hey hi his hope ' +
  "hoping how however if in instead is it its just keep kind know last let lets let's likely " +
  'looking lots many maybe me might mind more morning most much my name need needed neither ' +
  'never next no nor not note nothing noticed now objection objections of off ok okay on once ' +
  'one only open opener or other otherwise our out over perhaps please plenty possibly probably ' +
  'question questions quick quickly rather re reading really reason reply reaching regards ' +
  'relevant right said saw say says second seeing seems shall she short should since so some ' +
  'someone something sometimes sorry sounds still such sure talk talking tell thank thanks that ' +
  "that's the their them then there these they thing things think this those though thought " +
  'through to today together too totally truly understood unless until up us usually very want ' +
  "wanted was way we we're we've we'd we'll well were what what's when where whether which while " +
  "who why will with without worth would yes yet you you're you've you'd you'll your yours " +
  "it's here's there's don't didn't won't can't isn't wasn't haven't couldn't wouldn't " +
  'all the best warm warmly kind one two three four five ten few several also idea ideas ' +
  'since small step steps start started stepping come coming came heard hear hearing read ' +
  'and if close goal goals wrap wrapping follow following followup following-up useful usefully ' +
  'talk track pain point points tech stack news recent recently saw spotted came across ' +
  'happy pleased excited thought thoughts if-not fair enough totally understand understood ' +
  'no-worries worries respect timing cost price pricing budget already send sending sent ' +
  'looping loop check checking checked circle just wanted share sharing shared last one ' +
  'assume assuming guessing guess imagine imagining suspect wondering wonder mind minds ' +
  'context background who what when where why how ask asked answer answers listen listening ' +
  'confirm confirmed book booking schedule scheduling propose proposed suggest suggested ' +
  'close closing reason reasons main goal team teams company companies business role ' +
  'handle handling handled response responses if-yes if-no yes-no options option ' +
  'respond responding cost costs price prices expensive cheap busy already using use ' +
  'send email emails not now later again time times worth one-line one-liner ' +
  'opening discovery questions objection handling close closing notes note permission ' +
  'happy-to-help hopefully honest honestly separately instead totally different ' +
  'anyway either hi hello hey dear morning afternoon thanks thank cheers best regards ' +
  "bye talk soon speak later chat bumping trying wishing picking how's loved enjoyed given " +
  'could would should looks seems apologies appreciated interested keen free feel mind open ' +
  'congratulations following circling hoping shall quick given noticed saw came'
)
  .split(/\s+/)
  .filter((word) => word.length > 0);
