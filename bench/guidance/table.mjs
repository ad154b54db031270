// The table of bench/guidance/run.sh: node bench/guidance/table.mjs OUT SCALE…
import { readFileSync } from 'node:fs';

const [out, ...scales] = process.argv.slice(2);
const metrics = (file) => JSON.parse(readFileSync(file, 'utf8')).metrics;
const f = (v, digits = 3) => v.toFixed(digits);
console.log(
  '| s_id | consistency (guiding encoder) | EER | d′ | intra-class diversity | EER (other) | d′ (other) | label flips (other) |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const s of scales) {
  const own = metrics(`${out}/out-${s}/report/metrics.json`);
  const other = metrics(`${out}/other-${s}/metrics.json`);
  console.log(
    `| ${s} | ${f(own.identityConsistency)} | ${f(own.separability.eer)} | ${f(own.separability.dPrime, 2)} | ${f(own.intraClassDiversity)} | ${f(other.separability.eer)} | ${f(other.separability.dPrime, 2)} | ${f(other.labelFlipRate)} |`,
  );
}
