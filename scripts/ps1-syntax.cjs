// Parses PowerShell scripts with tree-sitter's PowerShell grammar and fails on a syntax error:
// install.ps1 cannot run on the Linux machines (no PowerShell), but it can at least parse.
//
//   npm install --prefix DIR web-tree-sitter@0.25.10 tree-sitter-powershell@0.26.4
//   NODE_PATH=DIR/node_modules node scripts/ps1-syntax.cjs install.ps1 scripts/test-install.ps1
//
// The grammar misses some valid forms (e.g. `.Where{ }` without parentheses), so a failure names
// the line to look at; the real parser runs on the Windows runner of the release workflow.
const { Parser, Language } = require('web-tree-sitter');
const fs = require('fs');

(async () => {
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(lang);
  const files = process.argv.slice(2);
  let failed = 0;
  for (const file of files) {
    let errors = 0;
    const walk = (node) => {
      if (node.type === 'ERROR' || node.isMissing) {
        errors++;
        const what = node.isMissing ? `missing ${node.type}` : 'syntax error';
        console.error(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${what}: ${node.text.slice(0, 80)}`);
      }
      node.children.forEach(walk);
    };
    walk(parser.parse(fs.readFileSync(file, 'utf8')).rootNode);
    if (errors) failed++;
  }
  console.log(`ps1-syntax: ${files.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
