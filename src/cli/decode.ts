/**
 * `wiretrail decode <hex | file.pcapng | file.pcap>`: prints each frame layer by layer, like
 * `tshark -V`, with wiretrail's own decoder (src/wire/decode.ts).
 *
 * Input: a capture file (pcapng or classic pcap, detected by magic), or an Ethernet frame as hex
 * (spaces, colons, dashes and newlines allowed; several arguments are joined), or "-" for
 * either on stdin. Whether a hex frame ends with an FCS is detected (the last 4 bytes are a
 * valid CRC-32 of the rest) unless --fcs / --no-fcs says; captures say it per interface.
 *
 * Exit codes: 0 all frames decoded, 1 a frame is malformed or the capture is damaged, 2 usage.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { decodeFrame, formatDecoded } from '../wire/decode.js';
import { verifyFcs } from '../wire/ethernet.js';
import { LINKTYPE_ETHERNET, readCapture } from '../wire/pcapng.js';
import type { CapturedPacket } from '../wire/pcapng.js';

interface Frame {
  readonly number: number;
  readonly data: Uint8Array;
  readonly fcs: boolean;
  readonly header: string;
  readonly comments: readonly string[];
}

/** Parses hex text: pairs of hex digits, separators (space, tab, newline, ':', '-', '.') ignored. */
export function parseHex(text: string): Uint8Array {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/[0-9a-fA-F]/.test(c)) digits += c;
    else if (c === 'x' && digits.endsWith('0') && (i < 2 || /[\s:,-]/.test(text[i - 2] ?? ' '))) {
      digits = digits.slice(0, -1); // a "0x" prefix
    } else if (!/[\s:.,-]/.test(c)) {
      throw new UsageError(
        `not hex: unexpected ${JSON.stringify(c)} at position ${i + 1} of the input`,
      );
    }
  }
  if (digits.length === 0) throw new UsageError('no bytes to decode (empty hex input)');
  if (digits.length % 2 !== 0) {
    throw new UsageError(
      `hex input has an odd number of digits (${digits.length}): a byte needs two`,
    );
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hexDump(b: Uint8Array): string[] {
  const lines: string[] = [];
  for (let o = 0; o < b.length; o += 16) {
    let hex = '';
    let asc = '';
    for (let i = o; i < o + 16; i++) {
      if (i < b.length) {
        hex += b[i].toString(16).padStart(2, '0') + ' ';
        asc += b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '.';
      } else hex += '   ';
      if (i === o + 7) hex += ' ';
    }
    lines.push(`${o.toString(16).padStart(4, '0')}  ${hex} ${asc}`);
  }
  return lines;
}

function looksLikePath(s: string): boolean {
  return /[/\\]/.test(s) || /\.(pcapng|pcap|cap)$/i.test(s);
}

function framesFromBytes(
  bytes: Uint8Array,
  what: string,
  fcsOpt: boolean | undefined,
  io: CliIo,
): Frame[] | undefined {
  const cap = readCapture(bytes);
  if (!cap.ok) {
    io.err(`wiretrail: ${what}: damaged capture: ${cap.detail ?? cap.error}\n`);
    io.exitCode = 1;
    return undefined;
  }
  const c = cap.value;
  return c.packets.map((p: CapturedPacket, i) => {
    const iface = c.interfaces[p.interfaceId];
    const name = iface?.name !== undefined ? `, interface ${iface.name}` : '';
    const t = (p.timeNs / 1e9).toFixed(9);
    const notEth = iface !== undefined && iface.linkType !== LINKTYPE_ETHERNET;
    return {
      number: i + 1,
      data: p.data,
      fcs: fcsOpt ?? (iface?.fcsLen ?? 0) === 4,
      header:
        `Frame ${i + 1}: ${p.originalLength} bytes on wire (${p.originalLength * 8} bits), ` +
        `${p.data.length} bytes captured${name}, time ${t} s` +
        (notEth ? ` [link type ${iface.linkType} is not Ethernet]` : ''),
      comments: p.comments,
    };
  });
}

function readStdin(): Uint8Array {
  try {
    return new Uint8Array(readFileSync(0));
  } catch {
    throw new UsageError('could not read stdin');
  }
}

export function runDecode(
  inputs: string[],
  opts: { fcs?: boolean; hex?: boolean; frame?: string },
  io: CliIo,
): void {
  if (inputs.length === 0) throw new UsageError('decode needs a hex frame or a capture file');
  let frames: Frame[] | undefined;
  const only = opts.frame === undefined ? undefined : Number(opts.frame);
  if (only !== undefined && (!Number.isInteger(only) || only < 1)) {
    throw new UsageError(`--frame wants a frame number from 1, got "${opts.frame}"`);
  }
  const first = inputs[0];
  if (inputs.length === 1 && first === '-') {
    const raw = readStdin();
    const text = new TextDecoder().decode(raw);
    if (/^[\s0-9a-fA-Fx:.,-]*$/.test(text)) frames = hexFrames(parseHex(text), opts.fcs);
    else frames = framesFromBytes(raw, 'stdin', opts.fcs, io);
  } else if (inputs.length === 1 && existsSync(first) && statSync(first).isFile()) {
    frames = framesFromBytes(new Uint8Array(readFileSync(first)), first, opts.fcs, io);
  } else if (inputs.length === 1 && existsSync(first)) {
    throw new UsageError(`${first} is not a file`);
  } else if (inputs.length === 1 && looksLikePath(first)) {
    throw new UsageError(`no such file: ${first}`);
  } else {
    frames = hexFrames(parseHex(inputs.join(' ')), opts.fcs);
  }
  if (frames === undefined) return;
  if (frames.length === 0) {
    io.out('no packets in the capture\n');
    return;
  }
  let shown = 0;
  for (const f of frames) {
    if (only !== undefined && f.number !== only) continue;
    if (shown > 0) io.out('\n');
    shown++;
    const d = decodeFrame(f.data, { fcs: f.fcs });
    const lines = [f.header, ...f.comments.map((c) => `    [Comment: ${c}]`), ...formatDecoded(d)];
    if (opts.hex === true) lines.push('', ...hexDump(f.data));
    io.out(lines.join('\n') + '\n');
    if (d.problems.some((p) => p.fatal)) io.exitCode = 1;
  }
  if (only !== undefined && shown === 0) {
    throw new UsageError(`there is no frame ${only} (the input has ${frames.length})`);
  }
}

function hexFrames(data: Uint8Array, fcsOpt: boolean | undefined): Frame[] {
  const fcs = fcsOpt ?? (data.length >= 18 && verifyFcs(data, 0, data.length));
  return [
    {
      number: 1,
      data,
      fcs,
      // Detected means verified; --fcs only says where the FCS is (its line says if it is right).
      header: `Frame 1: ${data.length} bytes (${data.length * 8} bits)${fcs ? (fcsOpt === undefined ? ', ending with a valid FCS' : ', ending with an FCS (--fcs)') : ''}`,
      comments: [],
    },
  ];
}

registerCommand((program: Command, io: CliIo) => {
  program
    .command('decode')
    .description('decode Ethernet frames layer by layer (hex, pcapng or pcap), like tshark -V')
    .argument('<input...>', 'hex bytes of one frame, a .pcapng/.pcap file, or - for stdin')
    .option('--fcs', 'the hex frame ends with a 4-byte FCS (default: detected)')
    .option('--no-fcs', 'the hex frame has no FCS')
    .option('-x, --hex', 'also print a hex dump of each frame')
    .option('-f, --frame <n>', 'only frame number n (from 1)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wiretrail decode ff:ff:ff:ff:ff:ff:02:00:00:00:00:01:08:06:00:01:08:00:06:04:00:01:...\n' +
        '  wiretrail decode capture.pcapng --frame 3\n',
    )
    .action((inputs: string[], opts: { fcs?: boolean; hex?: boolean; frame?: string }) => {
      runDecode(inputs, opts, io);
    });
});
