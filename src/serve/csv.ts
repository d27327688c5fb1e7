/** A small CSV reader for results.csv (RFC 4180: quoted fields, doubled quotes, CRLF); numbers become numbers. */

export function parseCsv(text: string): {
  columns: string[];
  rows: Array<Record<string, string | number | null>>;
  errors: string[];
} {
  const records = splitRecords(text);
  const errors: string[] = [];
  if (records.length === 0) return { columns: [], rows: [], errors: ['results.csv is empty'] };
  const columns = records[0];
  const rows = records.slice(1).map((fields, i) => {
    if (fields.length !== columns.length)
      errors.push(`results.csv row ${i + 2} has ${fields.length} fields, the header ${columns.length}`);
    return Object.fromEntries(columns.map((c, k) => [c, value(fields[k])]));
  });
  return { columns, rows, errors };
}

function value(s: string | undefined): string | number | null {
  if (s === undefined || s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) && /^[\s\d+\-.eE]+$/.test(s) ? n : s;
}

function splitRecords(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') out.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    out.push(row);
  }
  return out;
}
