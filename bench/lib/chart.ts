import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';

const CHART_DIR = join(import.meta.dirname, '..', '..', 'docs', 'charts');

/** One point of a line chart: x, y, and the series it belongs to. */
export interface ChartPoint {
  x: number;
  y: number;
  series: string;
  /** A second grouping drawn as the line's dash pattern (e.g. which tool), when several series share a colour. */
  style?: string;
}

export interface LineChart {
  /** File name under docs/charts, without extension. */
  name: string;
  title: string;
  xTitle: string;
  yTitle: string;
  points: readonly ChartPoint[];
  /** Log scale on y (for times that span orders of magnitude). */
  logY?: boolean;
  /** Draw points as well as lines (few x values). */
  marks?: boolean;
}

/**
 * Renders a line chart to SVG with Vega-Lite (no browser, no canvas) under docs/charts, and
 * returns the Markdown that embeds it from docs/benchmarks.md.
 */
export async function writeLineChart(chart: LineChart): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: chart.title,
    width: 560,
    height: 280,
    background: 'white',
    data: { values: chart.points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: chart.marks === true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: chart.xTitle },
      y: { field: 'y', type: 'quantitative', title: chart.yTitle, ...(chart.logY === true ? { scale: { type: 'log' } } : {}) },
      color: { field: 'series', type: 'nominal', title: null },
      ...(chart.points.some((p) => p.style !== undefined) ? { strokeDash: { field: 'style', type: 'nominal' as const, title: null }, detail: { field: 'style', type: 'nominal' as const } } : {}),
    },
  };
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(CHART_DIR, { recursive: true });
  writeFileSync(join(CHART_DIR, `${chart.name}.svg`), svg);
  return `![${chart.title}](charts/${chart.name}.svg)`;
}
