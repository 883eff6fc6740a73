// CommonJS consumer: require()s every export given on the command line (package or
// package/subpath) and prints, per specifier, how many named exports it got. Node >= 20.19 loads
// the ESM-only packages through require(esm); older Node throws ERR_REQUIRE_ESM.
const counts = {};
for (const specifier of process.argv.slice(2)) {
  counts[specifier] = Object.keys(require(specifier)).length;
}
console.log(JSON.stringify(counts));
