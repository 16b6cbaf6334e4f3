// Copies the files tsc does not emit (the privacy pages' and the operator console's CSS and scripts) next to the compiled code
// in the output directory given as the first argument (dist, or dist-bench for bench:load).
const { cpSync } = require('node:fs');
const { join } = require('node:path');

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: node scripts/copy-assets.js <outDir>');
for (const assets of [join('src', 'modules', 'privacy', 'pages', 'assets'), join('src', 'modules', 'operator-console', 'pages', 'assets')]) {
  cpSync(join(__dirname, '..', assets), join(__dirname, '..', outDir, assets), { recursive: true });
}
