// The field report: referenced fields a recording never carries, required vs optional.

import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/eql/parser.js';
import { carriedFields, fieldReport, queryCategories, referencedFields } from '../../src/rules/field-report.js';

const q = (s: string) => parseQuery(s);

describe('field report', () => {
  it('carried fields are leaves and the objects above them', () => {
    const c = carriedFields([{ process: { name: 'nc', args: ['nc', '-l'], parent: { pid: 1 } } }, { user: { id: '0' } }]);
    expect([...c].sort()).toEqual(['process', 'process.args', 'process.name', 'process.parent', 'process.parent.pid', 'user', 'user.id']);
  });

  it('references of every query form, with optional ones marked', () => {
    const refs = referencedFields(q('sequence by host.id [process where process.name : "nc*" and ?process.tty.char_device.major == 4] by process.entity_id [network where destination.port > 1024] by process.entity_id until [process where event.type == "end"] by process.entity_id'));
    expect(Object.fromEntries(refs)).toEqual({
      'host.id': false, 'process.name': false, 'process.tty.char_device.major': true, 'process.entity_id': false, 'destination.port': false, 'event.type': false,
    });
    expect(referencedFields(q('process where ?a.b == 1 and a.b == 2')).get('a.b')).toBe(false);
    expect([...queryCategories(q('sample by host.id [process where true] [network where true]'))].sort()).toEqual(['network', 'process']);
    expect([...queryCategories(q('any where true'))]).toEqual(['any']);
  });

  it('lists what a rule needs that the recording lacks', () => {
    const carried = carriedFields([{ process: { name: 'nc', working_directory: '/tmp' } }]);
    const rows = fieldReport([
      { file: 'a.toml', query: q('process where process.name == "nc" and process.working_directory == "/tmp"') },
      { file: 'b.toml', query: q('process where process.name == "nc" and user.Ext.real.id == "0" and ?process.env_vars : "LD_PRELOAD=*"') },
    ], carried);
    expect(rows).toEqual([
      { file: 'a.toml', categories: ['process'], missing: [], missingRequired: [] },
      { file: 'b.toml', categories: ['process'], missing: ['process.env_vars', 'user.Ext.real.id'], missingRequired: ['user.Ext.real.id'] },
    ]);
  });
});
