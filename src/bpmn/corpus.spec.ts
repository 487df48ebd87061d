// Every real-world file of the shared corpus goes through the parser pool exactly as an upload does:
// it deploys (at least one process) or is refused with specific reasons; never an exception, a
// timeout, or an empty success. One test per file, so a regression names the file.
import fs from 'node:fs';
import path from 'node:path';
import { BpmnParserPool } from './parser-pool.js';

// In CI the repository is cloned with shared/ beside it, as here.
const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const BPMN_FILE = /\.(bpmn|bpmn2|xml)$/i;

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : BPMN_FILE.test(e.name) ? [path.join(dir, e.name)] : []))
    .sort();
}

const files = listFiles(CORPUS).map((f) => path.relative(CORPUS, f));

// Messages that would mean the parser gave up instead of naming a reason.
const GENERIC = /took longer than|could not be parsed|could not be read|shut down/;

describe('corpus', () => {
  let pool: BpmnParserPool;
  beforeAll(() => {
    pool = new BpmnParserPool({ size: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('is present', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files)('%s deploys or is refused with specific reasons', async (file) => {
    const result = await pool.parse(fs.readFileSync(path.join(CORPUS, file)));
    if (result.ok) {
      expect(result.processes.length).toBeGreaterThan(0);
      for (const p of result.processes) expect(Object.keys(p.elements).length).toBeGreaterThan(0);
      expect(result.xmlHash).toMatch(/^[0-9a-f]{64}$/);
    } else {
      expect(result.problems.length).toBeGreaterThan(0);
      for (const problem of result.problems) {
        expect(problem.message).not.toMatch(GENERIC);
        expect(problem.message.length).toBeGreaterThan(10);
      }
    }
  });
});
