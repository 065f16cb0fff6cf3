// A streaming XLSX (SpreadsheetML in a zip) writer for the large exports. exceljs's streaming
// writer builds an object per cell and spends ~0.1 ms a row doing it; this writes each row as a
// string of XML straight into a per-sheet deflate stream, so a 100,000-row sheet costs the row
// formatting and the compression (which runs on libuv's thread pool, beside the event loop).
//
// The zip is written front to back without seeking: each entry has a local header with the data
// descriptor flag, its deflated bytes, then a descriptor with the CRC-32 (zlib.crc32, native
// since Node 20.15) and sizes; the central directory comes last. Strings are inline (t="inlineStr"), so nothing grows with the row count
// (shared strings would keep every distinct string in memory until the end). Only what the exports
// need: text and numbers, column widths, a bold header row, a frozen first row, a percent format.
import type { Writable } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync, type DeflateRaw } from 'node:zlib';

/** A number shown as a percentage with two decimals ("0.00%"). */
export interface PercentCell {
  percent: number | null;
}
export type XlsxCell = string | number | null | undefined | PercentCell;

export interface SheetOptions {
  /** Column widths in characters, from column A. */
  widths?: readonly number[];
  /** Keep the first row in view while scrolling. */
  freezeHeader?: boolean;
}

export interface WorkbookOptions {
  creator?: string;
  /** Epoch ms, for docProps/core.xml. */
  created?: number;
  /**
   * zlib level of the sheets. 1 (our default): 0.2 s for a 100,000-row Ranking (52 MB of XML) to
   * 8.0 MiB; zlib's default 6 takes 1.2 s for 6.5 MiB.
   */
  level?: number;
}

/** Thrown into a writer whose output closed (the client went away). */
export class OutputClosedError extends Error {
  constructor() {
    super('the output stream closed before the workbook was complete');
  }
}

// Styles (cellXfs indices in styles.xml below).
const STYLE_BOLD = 1;
const STYLE_PERCENT = 2;

/** Excel refuses (or "repairs") cells longer than this, counted in UTF-16 units. */
export const MAX_CELL_CHARS = 32_767;

// ---------------------------------------------------------------------------------------------
// XML text
// ---------------------------------------------------------------------------------------------

// Characters XML 1.0 does not allow at all (C0 controls other than tab, LF, CR; U+FFFE/U+FFFF;
// unpaired surrogates): a conforming reader rejects the whole file, so they are dropped.
const ILLEGAL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// One test for every case that needs work, so that plain text (nearly all of it) costs one scan.
// eslint-disable-next-line no-control-regex -- as above
const SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_/;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/**
 * Text for an element's content. Besides XML's escapes: Excel reads "_xHHHH_" in a cell as the
 * character U+HHHH, so a literal one has its underscore written as _x005F_; a lone CR is kept as
 * a character reference (a reader would otherwise turn it into LF).
 */
export function xmlText(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value
    .replace(ILLEGAL, '')
    .replace(/[&<>\r]/g, (c) => ESCAPES[c]!)
    .replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1');
}

const xmlAttr = (value: string): string =>
  xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[\t\n]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Cuts text to Excel's cell limit without splitting a surrogate pair. */
function clip(value: string): string {
  if (value.length <= MAX_CELL_CHARS) return value;
  const end = MAX_CELL_CHARS - (/[\uD800-\uDBFF]/.test(value[MAX_CELL_CHARS - 1]!) ? 1 : 0);
  return value.slice(0, end);
}

/** "A", "B", ..., "Z", "AA", ... for 0, 1, ... */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** A cell's XML; nothing for an empty cell (null, undefined, '', or a number that is not finite). */
const cellXml = (ref: string, value: XlsxCell, style: number): string => {
  if (value === null || value === undefined || value === '') return '';
  const s = style === 0 ? '' : ` s="${style}"`;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? `<c r="${ref}"${s}><v>${value}</v></c>` : '';
  }
  if (typeof value === 'string') {
    const text = xmlText(clip(value));
    // Leading or trailing white space is dropped by readers unless the element says to keep it.
    const keep = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : '';
    return `<c r="${ref}"${s} t="inlineStr"><is><t${keep}>${text}</t></is></c>`;
  }
  return value.percent === null || !Number.isFinite(value.percent)
    ? ''
    : `<c r="${ref}" s="${STYLE_PERCENT}"><v>${value.percent}</v></c>`;
};

// ---------------------------------------------------------------------------------------------
// The zip container
// ---------------------------------------------------------------------------------------------

interface ZipEntry {
  name: Buffer;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

// Bit 3: CRC and sizes follow the data (in a descriptor); bit 11: names are UTF-8.
const FLAGS = 0x0808;
const DEFLATE = 8;
const VERSION = 20;
const LIMIT = 0xffff_ffff;

function dosTime(t: number): { time: number; date: number } {
  const d = new Date(t);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((Math.max(d.getFullYear(), 1980) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

// ---------------------------------------------------------------------------------------------
// The workbook
// ---------------------------------------------------------------------------------------------

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

const STYLES =
  `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">` +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  // Built-in format 10 is "0.00%".
  '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

/** Resolves once `out` wants more, or rejects once it has closed. */
function writable(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(new OutputClosedError());
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (closed: boolean) => () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      if (closed) reject(new OutputClosedError());
      else resolve();
    };
    const onDrain = done(false);
    const onClose = done(true);
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}

/**
 * Writes a workbook into `out`, sheet after sheet: `sheet()` opens a sheet (closing the previous
 * one), `row()` adds a row to it, `flush()` hands what was added to the compressor and waits while
 * the output is behind (call it every few thousand rows), `finish()` writes the remaining parts
 * and the zip directory and ends `out`. Not safe to call concurrently: await each promise.
 */
export class XlsxStreamWriter {
  private readonly entries: ZipEntry[] = [];
  private readonly sheets: string[] = [];
  private offset = 0;
  private readonly stamp: { time: number; date: number };
  // The open sheet.
  private deflater: DeflateRaw | null = null;
  private entry: ZipEntry | null = null;
  private pending: string[] = [];
  private pendingChars = 0;
  private rowNumber = 0;
  private refs: string[] = [];
  private failure: Error | null = null;

  constructor(
    private readonly out: Writable,
    private readonly options: WorkbookOptions = {},
  ) {
    this.stamp = dosTime(options.created ?? Date.now());
  }

  /** Opens a new sheet (ending the one before). Names: 1-31 characters, none of []:*?/\. */
  async sheet(name: string, options: SheetOptions = {}): Promise<void> {
    if (!/^[^[\]:*?/\\]{1,31}$/.test(name) || /^'|'$/.test(name) || this.sheets.includes(name)) {
      throw new Error(`invalid or repeated sheet name: ${JSON.stringify(name)}`);
    }
    await this.endSheet();
    this.sheets.push(name);
    this.rowNumber = 0;
    this.refs = [];
    this.begin(`xl/worksheets/sheet${this.sheets.length}.xml`);
    const pane = options.freezeHeader
      ? '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
      : '';
    const selected = this.sheets.length === 1 ? ' tabSelected="1"' : '';
    const cols = (options.widths ?? [])
      .map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`)
      .join('');
    this.push(
      `${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
        `<sheetViews><sheetView workbookViewId="0"${selected}>${pane}</sheetView></sheetViews>` +
        '<sheetFormatPr defaultRowHeight="15"/>' +
        (cols ? `<cols>${cols}</cols>` : '') +
        '<sheetData>',
    );
  }

  /** Adds the next row of the open sheet (an empty array leaves a blank row). */
  row(cells: readonly XlsxCell[], options: { bold?: boolean } = {}): void {
    if (!this.entry) throw new Error('row() before sheet()');
    const n = ++this.rowNumber;
    if (cells.length === 0) return;
    const style = options.bold ? STYLE_BOLD : 0;
    while (this.refs.length < cells.length) this.refs.push(columnName(this.refs.length));
    let xml = `<row r="${n}">`;
    for (let i = 0; i < cells.length; i++) xml += cellXml(this.refs[i]! + n, cells[i], style);
    this.push(`${xml}</row>`);
  }

  /** Compresses what was added and waits until the output has room again. */
  async flush(): Promise<void> {
    this.check();
    if (this.pending.length > 0 && this.deflater) {
      const text = this.pending.join('');
      this.pending = [];
      this.pendingChars = 0;
      if (!this.write(Buffer.from(text, 'utf8'))) await this.deflaterDrained();
    }
    await writable(this.out);
    this.check();
  }

  /** Ends the last sheet, writes the workbook's other parts and the directory, and ends `out`. */
  async finish(): Promise<void> {
    await this.endSheet();
    const n = this.sheets.length;
    const sheetList = this.sheets
      .map((name, i) => `<sheet name="${xmlAttr(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('');
    const created = new Date(this.options.created ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const rel = (id: string, type: string, target: string) =>
      `<Relationship Id="${id}" Type="${type}" Target="${target}"/>`;
    const parts: [string, string][] = [
      [
        '[Content_Types].xml',
        `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
          `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
          '<Default Extension="xml" ContentType="application/xml"/>' +
          `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
          this.sheets
            .map(
              (_, i) =>
                `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${CT}.worksheet+xml"/>`,
            )
            .join('') +
          `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` +
          '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
          '</Types>',
      ],
      [
        '_rels/.rels',
        `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
          rel('rId1', `${NS_REL}/officeDocument`, 'xl/workbook.xml') +
          rel('rId2', `${NS_PKG_REL}/metadata/core-properties`, 'docProps/core.xml') +
          '</Relationships>',
      ],
      [
        'docProps/core.xml',
        `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
          'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
          `<dc:creator>${xmlText(this.options.creator ?? '')}</dc:creator>` +
          `<dcterms:created xsi:type="dcterms:W3CDTF">${created}</dcterms:created>` +
          '</cp:coreProperties>',
      ],
      [
        'xl/workbook.xml',
        `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
          `<bookViews><workbookView/></bookViews><sheets>${sheetList}</sheets></workbook>`,
      ],
      [
        'xl/_rels/workbook.xml.rels',
        `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
          this.sheets
            .map((_, i) => rel(`rId${i + 1}`, `${NS_REL}/worksheet`, `worksheets/sheet${i + 1}.xml`))
            .join('') +
          rel(`rId${n + 1}`, `${NS_REL}/styles`, 'styles.xml') +
          '</Relationships>',
      ],
      ['xl/styles.xml', STYLES],
    ];
    for (const [name, xml] of parts) this.small(name, xml);

    const directory: Buffer[] = this.entries.map((e) => {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(VERSION, 4);
      h.writeUInt16LE(VERSION, 6);
      h.writeUInt16LE(FLAGS, 8);
      h.writeUInt16LE(DEFLATE, 10);
      h.writeUInt16LE(this.stamp.time, 12);
      h.writeUInt16LE(this.stamp.date, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      // extra field, comment, disk number, internal and external attributes: 0
      h.writeUInt32LE(e.offset, 42);
      return Buffer.concat([h, e.name]);
    });
    const dirStart = this.offset;
    const dir = Buffer.concat(directory);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(dirStart, 16);
    this.emit(dir);
    this.emit(end);
    this.check();
    await writable(this.out);
    this.out.end();
  }

  // -------------------------------------------------------------------------------------------

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.out.destroyed) throw new OutputClosedError();
  }

  private emit(chunk: Buffer): boolean {
    this.offset += chunk.length;
    if (this.offset > LIMIT) throw new Error('the workbook is over 4 GiB (zip64 is not supported)');
    return this.out.write(chunk);
  }

  private localHeader(name: Buffer): void {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(VERSION, 4);
    h.writeUInt16LE(FLAGS, 6);
    h.writeUInt16LE(DEFLATE, 8);
    h.writeUInt16LE(this.stamp.time, 10);
    h.writeUInt16LE(this.stamp.date, 12);
    // CRC and sizes (14-25) stay 0: they are in the data descriptor.
    h.writeUInt16LE(name.length, 26);
    this.emit(Buffer.concat([h, name]));
  }

  private descriptor(e: ZipEntry): void {
    if (e.size > LIMIT || e.compressed > LIMIT) throw new Error(`${e.name.toString()} is over 4 GiB`);
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(e.crc, 4);
    d.writeUInt32LE(e.compressed, 8);
    d.writeUInt32LE(e.size, 12);
    this.emit(d);
  }

  /** A small part, compressed in one go. */
  private small(name: string, xml: string): void {
    const data = Buffer.from(xml, 'utf8');
    const packed = deflateRawSync(data);
    const e: ZipEntry = {
      name: Buffer.from(name, 'utf8'),
      offset: this.offset,
      crc: crc32(data),
      compressed: packed.length,
      size: data.length,
    };
    this.localHeader(e.name);
    this.emit(packed);
    this.descriptor(e);
    this.entries.push(e);
  }

  /** Starts a streamed entry: compressed bytes go to `out` as zlib produces them. */
  private begin(name: string): void {
    const e: ZipEntry = {
      name: Buffer.from(name, 'utf8'),
      offset: this.offset,
      crc: 0,
      compressed: 0,
      size: 0,
    };
    this.localHeader(e.name);
    const deflater = createDeflateRaw({ level: this.options.level ?? 1, chunkSize: 64 * 1024 });
    deflater.on('data', (chunk: Buffer) => {
      e.compressed += chunk.length;
      try {
        if (this.emit(chunk)) return;
      } catch (err) {
        deflater.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      // The output is behind: stop taking compressed bytes until it drains (zlib then stops
      // reading, and flush() waits on it in turn).
      deflater.pause();
      writable(this.out).then(
        () => deflater.resume(),
        (err: unknown) => deflater.destroy(err instanceof Error ? err : new OutputClosedError()),
      );
    });
    deflater.on('error', (err) => {
      this.failure ??= err;
    });
    this.deflater = deflater;
    this.entry = e;
  }

  private write(chunk: Buffer): boolean {
    const e = this.entry!;
    e.crc = crc32(chunk, e.crc);
    e.size += chunk.length;
    return this.deflater!.write(chunk);
  }

  private deflaterDrained(): Promise<void> {
    const deflater = this.deflater!;
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        deflater.off('drain', onDrain);
        deflater.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(this.failure ?? new OutputClosedError());
      deflater.on('drain', onDrain);
      deflater.on('close', onClose);
    });
  }

  private push(xml: string): void {
    this.pending.push(xml);
    this.pendingChars += xml.length;
    // A caller that never flushes still gets bounded buffers here (not back-pressure, though).
    if (this.pendingChars > 4 << 20 && this.deflater) {
      const text = this.pending.join('');
      this.pending = [];
      this.pendingChars = 0;
      this.write(Buffer.from(text, 'utf8'));
    }
  }

  private async endSheet(): Promise<void> {
    const deflater = this.deflater;
    const e = this.entry;
    if (!deflater || !e) return;
    this.push('</sheetData></worksheet>');
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      deflater.once('end', resolve);
      deflater.once('close', () => (this.failure ? reject(this.failure) : resolve()));
      deflater.end();
    });
    this.check();
    this.deflater = null;
    this.entry = null;
    this.descriptor(e);
    this.entries.push(e);
  }
}
