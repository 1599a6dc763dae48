// The two pictures of the page, as inline SVG (no external reference): the payload state machine with the
// step's edges highlighted, and the memory map with the trampolines drawn from old code to new.
import { escapeHtml } from '../trace/html.ts';
import { hex, sizeText } from './format.ts';
import type { MapRange, MemoryMap } from './memory-map.ts';
import type { Edge, EdgeUse, PayloadRow, Presence } from './story.ts';

const e = escapeHtml;

/** An arrowhead at (x, y) pointing along (dx, dy), drawn as a polygon (markers would need url() references). */
function arrowhead(x: number, y: number, dx: number, dy: number): string {
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const p = (a: number, b: number): string => `${(x + a).toFixed(1)},${(y + b).toFixed(1)}`;
  return `<polygon class="head" points="${p(0, 0)} ${p(-9 * ux + 4.5 * uy, -9 * uy - 4.5 * ux)} ${p(-9 * ux - 4.5 * uy, -9 * uy + 4.5 * ux)}"/>`;
}

const NODES: Record<Presence, { x: number; label: string }> = {
  absent: { x: 80, label: 'not loaded' },
  CHECKED: { x: 320, label: 'CHECKED' },
  APPLIED: { x: 560, label: 'APPLIED' },
};
const NODE_Y = 70;
const NODE_W = 150;
const NODE_H = 40;

/** Each edge: a path from one node to another, where its head ends, the direction there, and the label's place. */
const EDGES: Record<Edge, { d: string; head: [number, number, number, number]; label: [number, number] }> = {
  upload: { d: 'M155,62 L243,62', head: [243, 62, 1, 0], label: [199, 54] },
  apply: { d: 'M395,62 L483,62', head: [483, 62, 1, 0], label: [439, 54] },
  replace: { d: 'M340,50 C380,4 500,4 540,50', head: [540, 50, 0.6, 1], label: [440, 20] },
  revert: { d: 'M540,90 C500,136 380,136 340,90', head: [340, 90, -0.6, -1], label: [440, 130] },
  unload: { d: 'M300,90 C260,136 140,136 100,90', head: [100, 90, -0.6, -1], label: [200, 130] },
};

export function stateMachineSvg(uses: EdgeUse[], after: PayloadRow[]): string {
  const edges = (Object.keys(EDGES) as Edge[]).map((name) => {
    const g = EDGES[name];
    const mine = uses.filter((u) => u.edge === name);
    const cls = mine.some((u) => u.taken) ? ' taken' : mine.length ? ' refused' : '';
    const who = mine.map((u) => `${u.payload}${u.taken ? '' : ` ✗ ${u.errno === 'no change' ? 'nothing to do' : `-${u.errno}`}`}`);
    const [lx, ly] = g.label;
    return `<g class="edge${cls}" data-edge="${name}"${mine.length ? ` data-payloads="${e(mine.map((u) => u.payload).join(' '))}"` : ''}>`
      + `<path d="${g.d}"/>${arrowhead(...g.head)}<text x="${lx}" y="${ly}" text-anchor="middle">${name}</text>`
      + (who.length ? `<text class="who" x="${lx}" y="${ly + (ly > 100 ? 14 : -12)}" text-anchor="middle">${e(who.join(', '))}</text>` : '')
      + '</g>';
  });
  const nodes = (Object.keys(NODES) as Presence[]).map((state) => {
    const n = NODES[state];
    const here = state === 'absent' ? [] : after.filter((r) => r.state === state).map((r) => r.name);
    // Who is in this state after the step, under the node (below the return arcs).
    const shown = here.slice(0, 3).map((name, i) => `<text class="member" x="${n.x}" y="${162 + 14 * i}" text-anchor="middle">${e(name)}</text>`);
    if (here.length > 3) shown.push(`<text class="member" x="${n.x}" y="204" text-anchor="middle">+${here.length - 3} more</text>`);
    return `<g class="node" data-state="${state}"><rect x="${n.x - NODE_W / 2}" y="${NODE_Y - NODE_H / 2}" width="${NODE_W}" height="${NODE_H}" rx="8"/>`
      + `<text x="${n.x}" y="${NODE_Y + 5}" text-anchor="middle">${n.label}</text>${shown.join('')}</g>`;
  });
  return `<svg class="machine" viewBox="0 0 640 210" role="img" aria-label="payload state machine">${edges.join('')}${nodes.join('')}</svg>`;
}

// ---- memory map ------------------------------------------------------------------------------------------------

const ROW = 26;
const GAP_ROW = 16;
const BOX_X = 170;
const BOX_W = 380;

export function memoryMapSvg(map: MemoryMap): string {
  const rows: { y: number; r?: MapRange; gap?: bigint; start: bigint; end: bigint }[] = [];
  let y = 8;
  map.ranges.forEach((r, i) => {
    const prev = map.ranges[i - 1];
    if (prev && r.start > prev.end) {
      rows.push({ y, gap: r.start - prev.end, start: prev.end, end: r.start });
      y += GAP_ROW;
    }
    rows.push({ y, r, start: r.start, end: r.end });
    y += ROW;
  });
  const rowOf = (a: bigint): number | undefined => rows.find((x) => x.r && a >= x.start && a < x.end)?.y;
  const parts = rows.map((x) => {
    if (x.gap !== undefined) {
      return `<text class="gap" x="${BOX_X + BOX_W / 2}" y="${x.y + 11}" text-anchor="middle">⋮ ${e(sizeText(x.gap))} not mapped</text>`;
    }
    const r = x.r!;
    return `<g class="range ${r.kind}" data-owner="${e(r.owner)}" data-kind="${r.kind}">`
      + `<text class="addr" x="${BOX_X - 6}" y="${x.y + 16}" text-anchor="end">${hex(r.start)}</text>`
      + `<rect x="${BOX_X}" y="${x.y}" width="${BOX_W}" height="${ROW - 4}"/>`
      + `<text x="${BOX_X + 8}" y="${x.y + 15}">${e(`${r.perms}  ${r.label}`)}</text>`
      + `<text class="size" x="${BOX_X + BOX_W - 8}" y="${x.y + 15}" text-anchor="end">${e(sizeText(r.end - r.start))}</text></g>`;
  });
  const jumps = map.jumps.map((j, k) => {
    const y1 = rowOf(j.from);
    const y2 = rowOf(j.to);
    if (y1 === undefined || y2 === undefined) return '';
    const a = y1 + 8 + (k % 3) * 4;
    const b = y2 + 11;
    const out = BOX_X + BOX_W + 24 + 22 * k;
    const d = `M${BOX_X + BOX_W},${a} C${out},${a} ${out},${b} ${BOX_X + BOX_W + 4},${b}`;
    return `<g class="jump${j.live ? ' live' : ' stale'}" data-payload="${e(j.payload)}"><path d="${d}"/>${arrowhead(BOX_X + BOX_W + 4, b, -1, 0)}`
      + `<text x="${out + 4}" y="${(a + b) / 2}">${k + 1}</text></g>`;
  });
  const width = BOX_X + BOX_W + 40 + 22 * Math.max(1, map.jumps.length);
  return `<svg class="map" viewBox="0 0 ${width} ${y + 6}" role="img" aria-label="memory map">${parts.join('')}${jumps.join('')}</svg>`;
}
