// Validate a glTF / GLB file with the Khronos glTF validator and print its JSON report.
// Usage: node validate_gltf.js VALIDATOR_MODULE_DIR FILE
const fs = require("fs");
const validator = require(process.argv[2]);
const bytes = new Uint8Array(fs.readFileSync(process.argv[3]));
validator.validateBytes(bytes, { maxIssues: 100 })
  .then((report) => { process.stdout.write(JSON.stringify(report)); })
  .catch((error) => { process.stderr.write(String(error)); process.exit(1); });
