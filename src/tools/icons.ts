/**
 * The server's icon: a small inline SVG data URI (a bar chart on a blue rounded square), sent
 * once in the server's info. Tools carry none: an icon on each of 44 tools would cost ~6.7 KB of
 * the 48 KB tools/list budget.
 */
export const SERVER_ICON = {
  src: "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'><rect width='8' height='8' rx='2' fill='%231e3a8a'/><path d='M2 6V4M4 6V2M6 6V3' stroke='%23fff'/></svg>",
  mimeType: 'image/svg+xml',
  sizes: ['any'],
};
