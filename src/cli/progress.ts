/**
 * @module
 * A progress bar on stderr for long one-time work (building the state tables of an older data
 * directory): redrawn in place on a terminal, a line per tenth elsewhere (logs, CI).
 */

const WIDTH = 30;

export function progressBar(
  label: string,
  out: NodeJS.WriteStream = process.stderr,
): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    const share = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
    const percent = Math.floor(share * 100);
    const text = `${label} ${String(percent).padStart(3)} % (${String(done)} of ${String(total)})`;
    if (out.isTTY) {
      const filled = Math.round(share * WIDTH);
      out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${text}${share >= 1 ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth > lastTenth) {
      lastTenth = tenth;
      out.write(`${text}\n`);
    }
  };
}
