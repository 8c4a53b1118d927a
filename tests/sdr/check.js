// Loads a project written by `mailfino-sf app export` with Salesforce's own
// source-deploy-retrieve library (the library under the Salesforce CLI) and prints, as JSON,
// the components it resolves from the source folder and from manifest/package.xml, and the
// files of its conversion to metadata (deploy) format.
//
// Usage: node check.js PROJECT_DIR OUTPUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { ComponentSet, MetadataConverter } = require('@salesforce/source-deploy-retrieve');

function list(set, root) {
  return set
    .toArray()
    .map((c) => ({ type: c.type.name, fullName: c.fullName, xml: c.xml ? path.relative(root, c.xml) : null }))
    .sort((a, b) => (a.type + a.fullName).localeCompare(b.type + b.fullName));
}

function files(dir, root = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p, root) : [path.relative(root, p)];
  }).sort();
}

async function main() {
  const [dirArg, outArg] = process.argv.slice(2);
  const dir = path.resolve(dirArg);
  const out = path.resolve(outArg);
  const project = JSON.parse(fs.readFileSync(path.join(dir, 'sfdx-project.json'), 'utf8'));
  const sourceDirs = project.packageDirectories.map((d) => path.join(dir, d.path));
  const fromSource = ComponentSet.fromSource(sourceDirs);
  // Without an API version the library asks the network for the current one.
  fromSource.sourceApiVersion = project.sourceApiVersion;
  const fromManifest = await ComponentSet.fromManifest({
    manifestPath: path.join(dir, 'manifest', 'package.xml'),
    resolveSourcePaths: sourceDirs,
  });
  const converted = await new MetadataConverter().convert(fromManifest, 'metadata', {
    type: 'directory',
    outputDirectory: out,
    genUniqueDir: false,
  });
  console.log(JSON.stringify({
    sourceApiVersion: project.sourceApiVersion,
    source: list(fromSource, dir),
    manifest: list(fromManifest, dir),
    converted: files(converted.packagePath ?? out),
  }));
}

main().catch((e) => {
  console.error((e && e.stack) || String(e));
  process.exit(1);
});
