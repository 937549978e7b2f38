/**
 * A switch's MAC address table, as `brctl showmacs` prints a Linux bridge's forwarding
 * database (brctl_cmd.c: "%3i\t%s\t%s\t\t" + "%4i.%.2i" ageing timer), and as
 * `bridge fdb show` does. Switch ports have no MAC address of their own (the seeds), so no
 * entry is local.
 *
 * Read first: IEEE 802.1D § 7.9 (the filtering database).
 */
import { formatMac } from '../../wire/addr.js';
import type { Switch } from '../../devices/switch.js';

/** `brctl showmacs <switch>`: port number, MAC, local?, seconds since last seen. */
export function formatShowMacs(sw: Switch): string[] {
  const now = sw.sim.clock.now();
  const rows = sw.macTable().sort((a, b) => a.port.number - b.port.number || a.mac - b.mac);
  const out = ['port no\tmac addr\t\tis local?\tageing timer'];
  for (const e of rows) {
    const age = now - e.seen;
    const sec = Math.floor(age / 1e9);
    const cs = Math.floor((age % 1e9) / 1e7);
    out.push(
      `${String(e.port.number).padStart(3)}\t${formatMac(e.mac)}\tno\t\t${String(sec).padStart(4)}.${String(cs).padStart(2, '0')}`,
    );
  }
  return out;
}

/** `bridge fdb show br <switch>`-like lines with port names. */
export function formatFdb(sw: Switch): string[] {
  return sw.macTable().map((e) => `${formatMac(e.mac)} dev ${e.port.name} master ${sw.name}`);
}
