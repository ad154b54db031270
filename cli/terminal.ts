/** Terminal styling that stays out of pipes and honours NO_COLOR. */
const enabled = process.stdout.isTTY === true && !process.env.NO_COLOR;

const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);

export const paint = {
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};
