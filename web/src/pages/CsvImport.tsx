// CSV import: upload progress, then created/updated/unchanged and every rejected row with its reason.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { uploadCsv } from '../api/client';
import type { ImportResult } from '../api/types';
import { Field } from '../ui/Field';
import { ErrorNote } from '../ui/kit';

export function CsvImport(props: { onClose: () => void }) {
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState(0);
  const upload = useMutation({
    mutationFn: (f: File) => uploadCsv<ImportResult>(f, setProgress),
    onMutate: () => setProgress(0),
    onSuccess: () => {
      setProgress(1);
      void client.invalidateQueries({ queryKey: ['contacts'] });
      void client.invalidateQueries({ queryKey: ['tags'] });
      void client.invalidateQueries({ queryKey: ['home'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (file) upload.mutate(file);
  };
  const result = upload.data;
  return (
    <section className="card" aria-label="Import contacts">
      <form onSubmit={submit} className="row">
        <Field
          label="CSV file"
          hint="Header row of field names (email, phone, firstName, company, tags …); enrichment.* columns; lists separated by ;"
        >
          <input type="file" accept=".csv,text/csv" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        <div className="row-actions">
          <button type="submit" className="primary" disabled={!file || upload.isPending}>
            {upload.isPending ? 'Importing…' : 'Import'}
          </button>
          <button type="button" onClick={props.onClose}>
            Close
          </button>
        </div>
      </form>
      {upload.isPending || result ? (
        <div className="progress-line">
          <progress max={1} value={progress} aria-label="Upload progress" />
          <span>
            {upload.isPending ? (progress < 1 ? `${Math.round(progress * 100)} % uploaded` : 'Importing…') : 'Done'}
          </span>
        </div>
      ) : null}
      <ErrorNote error={upload.error} what="Import failed" />
      {result ? (
        <div className="import-result" role="status">
          <p>
            <strong>{result.created}</strong> created, <strong>{result.updated}</strong> updated,{' '}
            <strong>{result.unchanged}</strong> unchanged, <strong>{result.rejected.length}</strong> rejected.
          </p>
          {result.rejected.length > 0 ? (
            <table>
              <caption>Rejected rows (row 1 is the header)</caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {result.rejected.map((r) => (
                  <tr key={r.row}>
                    <td>{r.row}</td>
                    <td>{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
