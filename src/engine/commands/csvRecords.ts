// A CSV byte stream → import records, streamed: the file is never held in memory.
// Row numbers are spreadsheet rows: the header is row 1, the first contact row 2.
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { csvRecordToContact, mapCsvHeader } from '../../core/csvContacts.ts';
import type { ImportRecord } from './importContacts.ts';

/** The file itself is unusable (bad header, broken quoting): nothing is imported. */
export class CsvInputError extends Error {
  override name = 'CsvInputError';
}

export async function* csvImportRecords(input: Readable): AsyncGenerator<ImportRecord> {
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1024 * 1024 }),
  );
  input.on('error', (error) => parser.destroy(error));
  let columns: ReturnType<typeof mapCsvHeader> | undefined;
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      if (!columns) {
        columns = mapCsvHeader(record);
        if (!columns.ok) throw new CsvInputError(columns.message);
        continue;
      }
      if (!columns.ok) continue;
      if (record.length !== columns.columns.length) {
        yield { row, rejected: `row has ${record.length} columns, the header has ${columns.columns.length}` };
        continue;
      }
      yield { row, contact: csvRecordToContact(columns.columns, record) };
    }
  } catch (error) {
    if (error instanceof CsvError) throw new CsvInputError(`CSV is malformed after row ${row}: ${error.message}`);
    throw error;
  }
  if (!columns) throw new CsvInputError('CSV is empty: a header row is required');
}
