/**
 * The contact sheet: one row per identity, its pictures side by side, composed with sharp into one PNG. Pictures of
 * any size are scaled to the row height, so real renders and generated sets lay out the same way.
 */
import sharp from 'sharp';

export interface SheetPicture {
  size: number;
  /** RGB bytes, size × size × 3. */
  pixels: Uint8Array;
}

export interface SheetOptions {
  /** Cell side in pixels (pictures are resized to it). */
  cell: number;
  gap: number;
  background: [number, number, number];
}

export const defaultSheetOptions: SheetOptions = { cell: 64, gap: 2, background: [255, 255, 255] };

export async function contactSheetPng(
  rows: readonly (readonly SheetPicture[])[],
  options: SheetOptions = defaultSheetOptions,
): Promise<Uint8Array> {
  const { cell, gap } = options;
  const columns = Math.max(1, ...rows.map((r) => r.length));
  const width = columns * cell + (columns + 1) * gap;
  const height = Math.max(1, rows.length) * cell + (rows.length + 1) * gap;
  const tiles = await Promise.all(
    rows.flatMap((row, r) =>
      row.map(async (p, c) => ({
        input: await sharp(Buffer.from(p.pixels.buffer, p.pixels.byteOffset, p.pixels.byteLength), {
          raw: { width: p.size, height: p.size, channels: 3 },
        })
          .resize(cell, cell, { kernel: p.size < cell ? 'nearest' : 'lanczos3' })
          .png()
          .toBuffer(),
        left: gap + c * (cell + gap),
        top: gap + r * (cell + gap),
      })),
    ),
  );
  const [red, green, blue] = options.background;
  const png = await sharp({ create: { width, height, channels: 3, background: { r: red, g: green, b: blue } } })
    .composite(tiles)
    .png({ compressionLevel: 9 })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
