import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { http, modelForm } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Every public model of the shared corpus goes through the real deploy endpoint. Each must either
// deploy with at least one definition, or be refused with a 400 whose details say why: never a
// 500, a hang, or an ok answer with nothing in it. docs/compatibility.md lists the outcomes.
const CORPUS = path.resolve(process.cwd(), '../shared/corpus');

function corpusFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const full = path.join(directory, name);
      if (statSync(full).isDirectory()) return corpusFiles(full);
      return /\.(bpmn2?|xml)$/i.test(name) ? [full] : [];
    });
}

const files = corpusFiles(CORPUS);

describe('the shared BPMN corpus through POST /api/deployments', () => {
  let t: TestApp;
  let modeler: string;
  const outcomes = { deployed: 0, refused: 0 };

  beforeAll(async () => {
    t = await startTestApp();
    modeler = await t.token('mia', ['modeler']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('has the corpus beside the repository', () => {
    expect(files.length).toBeGreaterThanOrEqual(136);
  });

  it.each(files.map((file) => [path.relative(CORPUS, file), file]))('%s deploys or is refused with reasons', async (_name, file) => {
    const response = await http('POST', `${t.url}/api/deployments`, {
      token: modeler,
      body: modelForm([{ name: path.basename(file), xml: readFileSync(file) }]),
    });
    expect([201, 400]).toContain(response.status);
    expect(response.ms).toBeLessThan(5000);
    if (response.status === 201) {
      outcomes.deployed++;
      expect(response.body.definitions.length).toBeGreaterThan(0);
      for (const definition of response.body.definitions) expect(definition).toMatchObject({ key: expect.any(String), version: expect.any(Number) });
    } else {
      outcomes.refused++;
      expect(response.body.details.length).toBeGreaterThan(0);
      for (const detail of response.body.details) {
        expect(detail.message).toEqual(expect.any(String));
        expect(detail.message.length).toBeGreaterThan(10);
      }
    }
  });

  it('deploys most real executable models', () => {
    expect(outcomes.deployed + outcomes.refused).toBe(files.length);
    expect(outcomes.deployed).toBeGreaterThanOrEqual(70);
  });
});
