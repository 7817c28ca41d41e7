import {
  DEFAULT_JIRA_PRIORITY_MAP,
  DEFAULT_PRIORITY,
  parseJiraPriorityMap,
  priorityFromGoogle,
  priorityFromJiraName,
  priorityToGoogle,
  type GooglePriority,
} from '../../src/domain/priority';
import { PRIORITIES, type Priority } from '../../src/domain/types';

describe('priorityFromGoogle', () => {
  it.each<[string | null | undefined, Priority | null]>([
    ['P0', 0],
    ['P1', 1],
    ['P2', 2],
    ['P3', 3],
    ['P4', 4],
    ['PRIORITY_UNSPECIFIED', null],
    ['P5', null],
    ['p1', null],
    [' P1', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('%p → %p', (value, expected) => {
    expect(priorityFromGoogle(value)).toBe(expected);
  });
});

describe('priorityToGoogle', () => {
  it.each<[Priority, GooglePriority]>([
    [0, 'P0'],
    [1, 'P1'],
    [2, 'P2'],
    [3, 'P3'],
    [4, 'P4'],
  ])('%p → %p', (p, expected) => {
    expect(priorityToGoogle(p)).toBe(expected);
  });

  it('round-trips every level', () => {
    for (const p of PRIORITIES) expect(priorityFromGoogle(priorityToGoogle(p))).toBe(p);
  });

  it('rejects a number that is not a level', () => {
    expect(() => priorityToGoogle(7 as Priority)).toThrow(/not a priority level/);
  });
});

describe('DEFAULT_PRIORITY', () => {
  it('is P2', () => {
    expect(DEFAULT_PRIORITY).toBe(2);
  });
});

describe('parseJiraPriorityMap', () => {
  it('parses the default map', () => {
    expect(parseJiraPriorityMap(DEFAULT_JIRA_PRIORITY_MAP)).toEqual({
      0: 'Highest',
      1: 'High',
      2: 'Medium',
      3: 'Low',
      4: 'Lowest',
    });
  });

  it('tolerates whitespace, any entry order, lower-case levels and names with spaces', () => {
    const names = parseJiraPriorityMap(
      '  p4 = Whenever ,P3=Low,  P2=Normal, P1 =High - Urgent ,P0=Blocker  ',
    );
    expect(names).toEqual({
      0: 'Blocker',
      1: 'High - Urgent',
      2: 'Normal',
      3: 'Low',
      4: 'Whenever',
    });
  });

  it('keeps an "=" inside a name', () => {
    expect(parseJiraPriorityMap('P0=a=b,P1=B,P2=C,P3=D,P4=E')[0]).toBe('a=b');
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(parseJiraPriorityMap(DEFAULT_JIRA_PRIORITY_MAP))).toBe(true);
  });

  it.each<[string, string, RegExp]>([
    ['empty spec', '', /priority map is empty/],
    ['blank spec', '   ', /priority map is empty/],
    [
      'entry without "="',
      'P0=Highest,P1 High,P2=Medium,P3=Low,P4=Lowest',
      /entry 2 \("P1 High"\) has no "="/,
    ],
    [
      'unknown level',
      'P0=Highest,P1=High,P2=Medium,P3=Low,P5=Lowest',
      /entry 5 \("P5=Lowest"\) has an unknown level "P5"/,
    ],
    [
      'missing level text',
      '=Highest,P1=High,P2=Medium,P3=Low,P4=Lowest',
      /entry 1 .* unknown level ""/,
    ],
    [
      'empty name',
      'P0=Highest,P1=,P2=Medium,P3=Low,P4=Lowest',
      /entry 2 \("P1="\) has an empty name for P1/,
    ],
    [
      'empty entry (double comma)',
      'P0=Highest,,P1=High,P2=Medium,P3=Low,P4=Lowest',
      /entry 2 is empty/,
    ],
    ['trailing comma', 'P0=Highest,P1=High,P2=Medium,P3=Low,P4=Lowest,', /entry 6 is empty/],
    ['missing level', 'P0=Highest,P1=High,P2=Medium,P3=Low', /missing level P4/],
    ['missing levels', 'P0=Highest,P2=Medium', /missing levels P1, P3, P4/],
    [
      'duplicate level',
      'P0=Highest,P1=High,P1=Urgent,P2=Medium,P3=Low,P4=Lowest',
      /entry 3 \("P1=Urgent"\) sets P1 again \(already "High"\)/,
    ],
    [
      'two levels sharing a name',
      'P0=High,P1=High,P2=Medium,P3=Low,P4=Lowest',
      /entry 2 \("P1=High"\) gives P1 the name "High", already used by P0/,
    ],
    [
      'shared name differing in case',
      'P0=Highest,P1=High,P2=Medium,P3=low,P4=LOW',
      /entry 5 .* gives P4 the name "LOW", already used by P3/,
    ],
  ])('rejects %s', (_label, spec, message) => {
    expect(() => parseJiraPriorityMap(spec)).toThrow(message);
    expect(() => parseJiraPriorityMap(spec)).toThrow(
      /^invalid priority map|^priority map is empty/,
    );
  });

  it('lists every problem in one error', () => {
    let message = '';
    try {
      parseJiraPriorityMap('P0=Highest,P0=Again,P9=X');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/sets P0 again/);
    expect(message).toMatch(/unknown level "P9"/);
    expect(message).toMatch(/missing levels P1, P2, P3, P4/);
  });
});

describe('priorityFromJiraName', () => {
  const names = parseJiraPriorityMap('P0=Highest,P1=High - Urgent,P2=Medium,P3=Low,P4=Lowest');

  it.each<[string | null | undefined, Priority | null]>([
    ['Highest', 0],
    ['High - Urgent', 1],
    ['high - urgent', 1],
    ['MEDIUM', 2],
    ['  Low  ', 3],
    ['Lowest', 4],
    ['High', null],
    ['Unknown', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('%p → %p', (name, expected) => {
    expect(priorityFromJiraName(names, name)).toBe(expected);
  });

  it('inverts the map for every level', () => {
    for (const p of PRIORITIES) expect(priorityFromJiraName(names, names[p])).toBe(p);
  });
});
