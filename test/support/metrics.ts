/** Reading a process's /metrics the way Prometheus does: fetch the text, pick series by name and labels. */

export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export function parseMetrics(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[label[1] ?? ''] = label[2] ?? '';
    series.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return series;
}

export interface Scrape {
  readonly text: string;
  /** The sum of every series named `name` carrying all of `labels`; undefined when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

export function readMetrics(text: string): Scrape {
  const series = parseMetrics(text);
  return {
    text,
    value(name, labels = {}) {
      const matching = series.filter(
        (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
      );
      return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
    },
  };
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return readMetrics(await response.text());
}
