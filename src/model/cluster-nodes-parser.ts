import { MalformedReplyError } from '../errors';
import type { NodeInfo, OpenSlotMark } from './node-info';
import { SlotSet } from './slot-set';

const NODE_ID = /^[0-9a-f]{40}$/;

/** Parses a CLUSTER NODES reply into one NodeInfo per line. Throws MalformedReplyError naming the line. */
export function parseClusterNodes(text: string): NodeInfo[] {
  if (typeof text !== 'string') throw new MalformedReplyError('CLUSTER NODES reply', `expected text, got ${typeof text}`);
  const nodes: NodeInfo[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line.length > 0) nodes.push(parseClusterNodesLine(line));
  }
  return nodes;
}

export function parseClusterNodesLine(line: string): NodeInfo {
  const fail = (problem: string): never => {
    throw new MalformedReplyError('CLUSTER NODES line', problem, line);
  };
  const fields = line.split(' ');
  if (fields.length < 8) fail(`expected at least 8 fields, got ${fields.length}`);
  const [id, addressField, flagsField, masterField, pingField, pongField, epochField, linkField] = fields as [
    string, string, string, string, string, string, string, string,
  ];
  if (!NODE_ID.test(id)) fail(`bad node id "${id}"`);

  const addressMatch = /^(.*):(\d+)@(\d+)(?:,(.*))?$/.exec(addressField);
  if (addressMatch === null) fail(`bad address "${addressField}"`);
  const [, rawHost = '', portText = '0', cportText = '0', hostname] = addressMatch as RegExpExecArray;
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;

  const flags = flagsField === 'noflags' ? [] : flagsField.split(',');
  const isReplica = flags.includes('slave');
  if (!isReplica && !flags.includes('master') && !flags.includes('handshake') && !flags.includes('noaddr')) {
    // A node in handshake has no role yet; any other line must say master or slave.
    fail(`no role in flags "${flagsField}"`);
  }
  if (masterField !== '-' && !NODE_ID.test(masterField)) fail(`bad master id "${masterField}"`);
  if (linkField !== 'connected' && linkField !== 'disconnected') fail(`bad link state "${linkField}"`);
  const numbers = [pingField, pongField, epochField].map(Number);
  if (numbers.some((n) => !Number.isFinite(n) || n < 0)) fail('bad ping/pong/epoch number');

  const slotRanges: [number, number][] = [];
  const migrating: OpenSlotMark[] = [];
  const importing: OpenSlotMark[] = [];
  for (const item of fields.slice(8)) {
    if (item === '') continue;
    const open = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/.exec(item);
    if (open !== null) {
      const mark = { slot: Number(open[1]), nodeId: open[3] as string };
      (open[2] === '>' ? migrating : importing).push(mark);
      continue;
    }
    const range = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (range === null) fail(`bad slot item "${item}"`);
    const start = Number((range as RegExpExecArray)[1]);
    const end = (range as RegExpExecArray)[2] === undefined ? start : Number((range as RegExpExecArray)[2]);
    slotRanges.push([start, end]);
  }
  let slots: SlotSet;
  try {
    slots = SlotSet.fromRanges(slotRanges);
  } catch {
    return fail('slot out of range');
  }

  const port = Number(portText);
  const info: NodeInfo = {
    id,
    host,
    port,
    cport: Number(cportText),
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    flags,
    role: isReplica ? 'replica' : 'master',
    myself: flags.includes('myself'),
    failed: flags.includes('fail'),
    suspected: flags.includes('fail?'),
    handshake: flags.includes('handshake'),
    pingSent: numbers[0] as number,
    pongReceived: numbers[1] as number,
    configEpoch: numbers[2] as number,
    linkState: linkField as 'connected' | 'disconnected',
    slots,
    migrating,
    importing,
  };
  if (hostname !== undefined && hostname !== '') info.hostname = hostname;
  if (masterField !== '-') info.masterId = masterField;
  return info;
}
