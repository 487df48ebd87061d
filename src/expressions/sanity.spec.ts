import { evaluate } from 'feelin';
describe('toolchain', () => {
  it('runs ESM TypeScript specs', () => {
    expect(evaluate('1 + 2', {}).value).toBe(3);
  });
});
