import { classifyRecipient, parseMailbox, RecipientError, recipientsFromHeader, validateAddress } from './recipients.js';

const refused = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RecipientError);
    return (error as Error).message;
  }
  throw new Error('expected a RecipientError');
};

describe('parseMailbox', () => {
  it.each([
    ['jane.doe@example.com', { address: 'jane.doe@example.com' }],
    ['Jane Doe <jane.doe@example.com>', { address: 'jane.doe@example.com', name: 'Jane Doe' }],
    ['"Jane Doe" <jane@example.com>', { address: 'jane@example.com', name: 'Jane Doe' }],
    ['  first.last+tag@Sub.Example.CO.uk ', { address: 'first.last+tag@sub.example.co.uk' }],
    ["Zoë O'Brien-Smith <zoe@example.org>", { address: 'zoe@example.org', name: "Zoë O'Brien-Smith" }],
    ['jane@exämple.com', { address: 'jane@xn--exmple-cua.com' }],
    ['<ops@localhost>', { address: 'ops@localhost' }],
  ])('accepts %j', (text, expected) => {
    expect(parseMailbox(text)).toEqual(expected);
  });

  it.each([
    ['jane@example.com\r\nBcc: evil@example.net', /line break/],
    ['jane@example.com\nevil@example.net', /line break/],
    ['Jane\r\nBcc: evil@example.net <jane@example.com>', /line break/],
    ['jane@example.com\u2028evil@example.net', /line break/],
    ['jane@example.com\u0000', /control/],
    ['jane@example.com, evil@example.net', /not a single e-mail address/],
    ['jane@example.com;evil@example.net', /not a single e-mail address/],
    ['"Doe, Jane" <jane@example.com>', /display name/],
    ['Evil <a@example.com> <b@example.net>', /display name/],
    ['=?utf-8?B?RXZpbA==?= <a@example.com>', /display name/],
    ['Undisclosed: a@example.com;', /invalid local part|display name/],
    ['"a@b"@example.com', /not a single/],
    ['a@example.com (comment)', /invalid domain/],
    ['x..y@example.com', /invalid local part/],
    ['x@-bad.example', /invalid domain/],
    ['x@[127.0.0.1]', /invalid domain/],
    ['not-an-address', /not a single e-mail address/],
  ])('refuses %j', (text, reason) => {
    expect(refused(() => parseMailbox(text))).toMatch(reason);
  });

  it('refuses overlong addresses', () => {
    expect(refused(() => parseMailbox(`${'a'.repeat(65)}@example.com`))).toMatch(/local part/);
    expect(refused(() => parseMailbox(`a@${'b'.repeat(330)}.com`))).toMatch(/longer than/);
  });

  it('validates directory addresses and names given apart', () => {
    expect(validateAddress('ann@example.com', 'Ann')).toEqual({ address: 'ann@example.com', name: 'Ann' });
    expect(refused(() => validateAddress('ann@example.com\r\nRCPT TO:<evil@example.net>'))).toMatch(/line break/);
    expect(refused(() => validateAddress('ann@example.com', 'Ann, Evil'))).toMatch(/display name/);
  });
});

describe('classifyRecipient', () => {
  it('reads groups, users and addresses', () => {
    expect(classifyRecipient('group:dispatch')).toEqual({ kind: 'group', name: 'dispatch' });
    expect(classifyRecipient('user:alice')).toEqual({ kind: 'user', id: 'alice' });
    expect(classifyRecipient('alice')).toEqual({ kind: 'user', id: 'alice' });
    expect(classifyRecipient('Ann <ann@example.com>')).toEqual({ kind: 'address', mailbox: { address: 'ann@example.com', name: 'Ann' } });
    expect(classifyRecipient({ group: 'ops' })).toEqual({ kind: 'group', name: 'ops' });
    expect(classifyRecipient({ user: 'bob' })).toEqual({ kind: 'user', id: 'bob' });
    expect(classifyRecipient({ address: 'b@example.com', name: 'Bob' })).toEqual({ kind: 'address', mailbox: { address: 'b@example.com', name: 'Bob' } });
  });

  it('never reads one value as several recipients', () => {
    expect(refused(() => classifyRecipient('group:a,b'))).toMatch(/not a valid group/);
    expect(refused(() => classifyRecipient('alice bob'))).toMatch(/not a valid user/);
    expect(refused(() => classifyRecipient('group:ops\r\nBcc: x@example.net'))).toMatch(/line break/);
    expect(refused(() => classifyRecipient({ address: 'a@example.com, b@example.com' }))).toMatch(/not a single/);
    expect(refused(() => classifyRecipient(42 as never))).toMatch(/text or an object/);
  });
});

describe('recipientsFromHeader', () => {
  it('evaluates FEEL against the variables; each text is one recipient', () => {
    expect(recipientsFromHeader('=customerEmail', { customerEmail: 'jane@example.com', other: 1 })).toEqual(['jane@example.com']);
    expect(recipientsFromHeader('=[manager, {group: "dispatch"}, {user: "bob"}]', { manager: 'm@example.com' })).toEqual(['m@example.com', { group: 'dispatch' }, { user: 'bob' }]);
    // Not split: the comma reaches classifyRecipient inside one value, which refuses it.
    expect(recipientsFromHeader('=customerEmail', { customerEmail: 'a@example.com, b@example.net' })).toEqual(['a@example.com, b@example.net']);
    expect(recipientsFromHeader('${email}', { email: 'e@example.com' })).toEqual(['e@example.com']);
  });

  it('lets modellers list literal recipients', () => {
    expect(recipientsFromHeader('ops@example.com, group:dispatch; bob', {})).toEqual(['ops@example.com', 'group:dispatch', 'bob']);
    expect(recipientsFromHeader(undefined, {})).toEqual([]);
    expect(recipientsFromHeader('  ', {})).toEqual([]);
  });

  it('an expression gives e-mail addresses: text naming a group or user (say, typed into a shop form) is refused', () => {
    for (const typed of ['group:admin', 'user:ada', 'ada', 'GROUP:admin@x']) {
      expect(refused(() => recipientsFromHeader('=customerEmail', { customerEmail: typed }))).toMatch(/not an e-mail address; an expression names directory recipients as \{group: "…"\}/);
    }
    expect(refused(() => recipientsFromHeader('=[a, b]', { a: 'a@example.com', b: 'group:admin' }))).toMatch(/gave "group:admin"/);
    expect(refused(() => recipientsFromHeader('={group: 1}', {}))).toMatch(/gave a/);
    // What the modeller quoted in the expression itself is theirs, not a variable's.
    expect(recipientsFromHeader('=if vip then "group:vip" else "group:sales"', { vip: true })).toEqual(['group:vip']);
    expect(recipientsFromHeader("${vip ? 'group:vip' : 'group:sales'}", { vip: false })).toEqual(['group:sales']);
    expect(refused(() => recipientsFromHeader('=if vip then "group:vip" else team', { vip: false, team: 'group:admin' }))).toMatch(/gave "group:admin"/);
    // A bare word never counts, even when it stands quoted elsewhere in the header.
    expect(refused(() => recipientsFromHeader('=if role = "admin" then "ops@example.com" else contactEmail', { role: 'x', contactEmail: 'admin' }))).toMatch(/gave "admin"/);
  });

  it('refuses results that are not text', () => {
    expect(refused(() => recipientsFromHeader('=customerEmail', {}))).toMatch(/gave null/);
    // No cc is fine.
    expect(recipientsFromHeader('=ccList', {}, 'cc')).toEqual([]);
    expect(refused(() => recipientsFromHeader('=42', {}, 'cc'))).toMatch(/'cc' header .* gave a number/);
    expect(refused(() => recipientsFromHeader('=[1]', {}))).toMatch(/gave a number/);
  });
});
