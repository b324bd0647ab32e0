// Reads FHIR Shorthand (FSH) profiles into checks that can be run on resources
// with FHIRPath: each profile's cardinalities (also of slices), fixed values,
// reference targets, element types and invariants. A rule that cannot be
// turned into a check (a terminology binding, a slice defined in a package
// that is not at hand) is listed as skipped with the reason, never dropped.

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

const ENTITY = /^(Profile|Extension|Invariant|Instance|Alias|RuleSet|ValueSet|CodeSystem|Logical|Mapping):\s*(.*)$/;
const KEYWORD = /^(Parent|Id|Title|Description|Severity|Expression|InstanceOf|Usage|XPath):\s*(.*)$/;

/**
 * Removes whole-line `//` comments (URLs keep their `//`), then block comments;
 * in that order, as `//* rule` is a line comment and not the start of a block.
 */
function stripComments(text) {
  return text
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, '');
}

const quotes = (s) => (s.replace(/\\"/g, '').match(/"/g) || []).length;
const unquote = (s) => s.trim().replace(/^"([\s\S]*)"$/, '$1').replace(/\s*\n\s*/g, ' ');

/** Splits FSH text into entities: `{ kind, name, keywords, rules }`. */
export function parseFsh(text) {
  const entities = [];
  let current = null;
  let pending = null; // a keyword whose quoted value spans lines
  for (const line of stripComments(text).split('\n')) {
    if (pending) {
      pending.value += `\n${line}`;
      if (quotes(pending.value) % 2 === 0) {
        current.keywords[pending.key] = unquote(pending.value);
        pending = null;
      }
      continue;
    }
    const entity = line.match(ENTITY);
    if (entity) {
      current = { kind: entity[1], name: entity[2].trim(), keywords: {}, rules: [] };
      entities.push(current);
      if (entity[1] === 'Alias') {
        const [name, value] = entity[2].split('=').map((s) => s.trim());
        current.name = name;
        current.keywords.value = value;
      }
      continue;
    }
    if (!current) continue;
    const keyword = line.match(KEYWORD);
    if (keyword) {
      const value = keyword[2];
      if (quotes(value) % 2 === 1) pending = { key: keyword[1], value };
      else current.keywords[keyword[1]] = unquote(value);
      continue;
    }
    const rule = line.match(/^\*\s+(.*)$/);
    if (rule) current.rules.push(rule[1].trim());
    else if (line.trim() && current.rules.length > 0 && /^\s/.test(line)) {
      // A rule continued on the next line (`* x contains\n    a 1.. and\n    b 0..`).
      current.rules[current.rules.length - 1] += ` ${line.trim()}`;
    }
  }
  return entities;
}

/** Reads every `.fsh` file of a folder. */
export async function readFshFolder(dir) {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.fsh')).sort();
  const entities = [];
  for (const name of names) {
    entities.push(...parseFsh(await readFile(path.join(dir, name), 'utf8')));
  }
  return entities;
}

const CARD = /^(\d*)\.\.(\d+|\*)?$/;
const FLAGS = new Set(['MS', 'SU', '?!', 'TU', 'N', 'D']);

/**
 * Turns the profiles of `entities` into checks.
 *
 * `context` supplies what the FSH folder refers to but does not define:
 * - `canonicalBase`: the implementation guide's canonical base of these profiles,
 * - `profiles`: canonical URLs of profiles from other packages, by FSH name,
 * - `extensions`: canonical URL of an extension by its id,
 * - `slices`: FHIRPath filters of slices defined in parent profiles, by `element[slice]`.
 *
 * Returns `{ profiles: Map<canonical, { name, resourceType, checks, skipped }> }`;
 * a check is `{ rule, expression, severity }` to be true on every resource
 * claiming the profile, and `skipped` holds `{ rule, reason }`.
 */
export function compileProfiles(entities, context) {
  const aliases = Object.fromEntries(
    entities.filter((e) => e.kind === 'Alias').map((e) => [e.name, e.keywords.value]),
  );
  const invariants = Object.fromEntries(
    entities.filter((e) => e.kind === 'Invariant').map((e) => [e.name, e.keywords]),
  );
  const local = entities.filter((e) => e.kind === 'Profile');
  const canonicalOf = (name) => {
    const profile = local.find((p) => p.name === name);
    if (profile) return `${context.canonicalBase}/StructureDefinition/${profile.keywords.Id}`;
    return context.profiles[name];
  };
  const baseType = (profile) => {
    let parent = profile.keywords.Parent;
    for (let guard = 0; guard < 10; guard += 1) {
      const up = local.find((p) => p.name === parent);
      if (!up) break;
      parent = up.keywords.Parent;
    }
    return context.baseTypes?.[parent] ?? parent;
  };

  const out = new Map();
  for (const profile of local) {
    const canonical = canonicalOf(profile.name);
    const compiled = new Profile(profile, { context, aliases, invariants, canonicalOf });
    out.set(canonical, {
      name: profile.name,
      resourceType: baseType(profile),
      checks: compiled.checks,
      skipped: compiled.skipped,
    });
  }
  return { profiles: out };
}

const literal = (s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

class Profile {
  constructor(profile, env) {
    this.env = env;
    this.checks = [];
    this.skipped = [];
    this.extensionSlices = {}; // slice name -> extension URL
    this.discriminators = {}; // element path without slices -> { type, path }
    this.sliceTypes = {}; // `element[slice]` -> type name
    this.sliceValues = {}; // `element[slice]` -> fixed value of the discriminator
    this.choices = new Set(); // names of choice elements (`content` of `content[x]`)
    this.collect(profile.rules);
    for (const rule of profile.rules) this.compile(rule);
  }

  // First pass: what later rules' paths need (slices, discriminators, choices).
  collect(rules) {
    for (const rule of rules) {
      for (const m of rule.matchAll(/([A-Za-z]+)\[x\]/g)) this.choices.add(m[1]);
      let m = rule.match(/^(\S+)\s+contains\s+(.+)$/);
      if (m && /(^|\.)extension$/.test(m[1])) {
        for (const item of m[2].split(/\s+and\s+/)) {
          const named = item.match(/^(\S+)\s+named\s+(\S+)/);
          if (named) this.extensionSlices[named[2]] = this.extensionUrl(named[1]);
        }
      }
      m = rule.match(/^(\S+)\s+\^slicing\.discriminator\.(type|path)\s*=\s*(.+)$/);
      if (m) {
        const key = m[1];
        this.discriminators[key] = this.discriminators[key] || {};
        this.discriminators[key][m[2]] = m[3].trim().replace(/^#/, '').replace(/^"|"$/g, '');
      }
      m = rule.match(/^(\S+\[[^\]]+\])\.(\S+?)(\[x\])?\s+only\s+(\S+)$/);
      if (m) this.sliceTypes[`${m[1]}.${m[2]}`] = m[4];
      m = rule.match(/^(\S+\[[^\]]+\])\.(\S+)\s+=\s+#(\S+)$/);
      if (m) this.sliceValues[`${m[1]}.${m[2]}`] = m[3];
    }
  }

  extensionUrl(idOrUrl) {
    if (/^https?:\/\//.test(idOrUrl)) return idOrUrl;
    return this.env.context.extensions[idOrUrl];
  }

  /** `{ parent, last }` FHIRPath fragments of an FSH path, or a reason it has none. */
  translate(fshPath) {
    const segments = fshPath.split('.');
    const fragments = [];
    let plain = '';
    for (const segment of segments) {
      const m = segment.match(/^([A-Za-z0-9_]+)(\[x\])?(?:\[([^\]]+)\])?$/);
      if (!m) return { reason: `cannot read the path segment ${segment}` };
      const [, name, , slice] = m;
      const here = plain ? `${plain}.${name}` : name;
      let fragment = name;
      const choice = [...this.choices].find(
        (c) => name.startsWith(c) && name.length > c.length && /^[A-Z]/.test(name.slice(c.length)),
      );
      if (choice) fragment = `${choice}.ofType(${name.slice(choice.length)})`;
      if (slice !== undefined && /^\d+$/.test(slice)) {
        fragment = `${fragment}[${slice}]`;
      } else if (slice !== undefined && name === 'extension') {
        const url = this.extensionSlices[slice] ?? this.extensionUrl(slice);
        if (!url) return { reason: `the extension slice ${slice} is not defined here` };
        fragment = `extension(${literal(url)})`;
      } else if (slice !== undefined) {
        const filter = this.sliceFilter(here, `${fshPrefix(fshPath, segment)}`, slice);
        if (!filter) return { reason: `the slice ${name}[${slice}] is defined in a parent profile not at hand` };
        fragment = `${fragment}.where(${filter})`;
      }
      fragments.push(fragment);
      plain = here;
    }
    return { parent: fragments.slice(0, -1).join('.'), last: fragments[fragments.length - 1] };
  }

  sliceFilter(plainPath, fshUpTo, slice) {
    const known = this.env.context.slices[`${plainPath}[${slice}]`];
    if (known) return known;
    const d = this.discriminators[plainPath] ?? this.discriminators[fshUpTo];
    if (!d) return null;
    const dpath = (d.path || '').replace(/^\$this\.?/, '');
    if (d.type === 'type') {
      const type = this.sliceTypes[`${fshUpTo}[${slice}].${dpath}`];
      return type ? `${dpath} is ${type}` : null;
    }
    if (d.type === 'value' || d.type === 'pattern') {
      const value = this.sliceValues[`${fshUpTo}[${slice}].${dpath}`];
      return value ? `${dpath} = ${literal(value)}` : null;
    }
    return null;
  }

  add(rule, condition, severity = 'error') {
    this.checks.push({ rule, expression: condition, severity });
  }

  /** `P.all(body)` where `body` is about `last`; at the root just `body`. */
  scoped(t, body) {
    return t.parent ? `${t.parent}.all(${body})` : body;
  }

  compile(rule) {
    const skip = (reason) => this.skipped.push({ rule, reason });
    if (rule.startsWith('insert ')) return skip('rule sets come from a package not at hand');
    let m = rule.match(/^(?:(\S+)\s+)?obeys\s+(.+)$/);
    if (m) {
      for (const id of m[2].split(/\s*,\s*/)) {
        const inv = this.env.invariants[id];
        if (!inv) {
          skip(`the invariant ${id} is not defined here`);
          continue;
        }
        const severity = (inv.Severity || '#error').replace('#', '');
        if (!m[1]) {
          this.add(`${rule} (${id})`, inv.Expression, severity);
          continue;
        }
        const t = this.translate(m[1]);
        if (t.reason) skip(t.reason);
        else this.add(`${rule} (${id})`, this.scoped(t, `${t.last}.all(${inv.Expression})`), severity);
      }
      return;
    }
    m = rule.match(/^(\S+)\s+contains\s+(.+)$/);
    if (m) {
      for (const item of m[2].split(/\s+and\s+/)) {
        const parts = item.trim().split(/\s+/);
        const named = parts.indexOf('named');
        const slice = named >= 0 ? parts[named + 1] : parts[0];
        const card = parts.find((p) => CARD.test(p));
        if (card) this.cardinality(`${m[1]}[${slice}] ${card}`, `${m[1]}[${slice}]`, card);
      }
      return;
    }
    m = rule.match(/^(\S+)\s+only\s+(.+)$/);
    if (m) return this.only(rule, m[1], m[2].trim());
    m = rule.match(/^(\S+)\s+from\s+/);
    if (m) return skip('terminology bindings need the value sets, which are not at hand');
    if (/^\S+\s+\^/.test(rule)) return; // metadata of the profile, nothing to check
    m = rule.match(/^(\S+)\s+(\d*\.\.(?:\d+|\*)?)((?:\s+\S+)*)$/);
    if (m && m[3].trim().split(/\s+/).every((f) => !f || FLAGS.has(f))) {
      return this.cardinality(rule, m[1], m[2]);
    }
    m = rule.match(/^(\S+)\s+=\s+(.+)$/);
    if (m) return this.fixed(rule, m[1], m[2].trim());
    m = rule.match(/^(\S+)((?:\s+\S+)+)$/);
    if (m && m[2].trim().split(/\s+/).every((f) => FLAGS.has(f))) return; // flags only
    skip('a kind of rule this reader does not check');
  }

  cardinality(rule, fshPath, card) {
    const [, min, max] = card.match(CARD);
    const t = this.translate(fshPath);
    if (t.reason) return this.skipped.push({ rule, reason: t.reason });
    const tests = [];
    if (min !== '' && Number(min) > 0) tests.push(`${t.last}.count() >= ${Number(min)}`);
    if (max !== undefined && max !== '*') tests.push(`${t.last}.count() <= ${Number(max)}`);
    if (tests.length > 0) this.add(rule, this.scoped(t, tests.join(' and ')));
  }

  fixed(rule, fshPath, raw) {
    let value;
    if (raw.startsWith('#')) value = raw.slice(1);
    else if (raw.startsWith('$')) value = this.env.aliases[raw];
    else if (/^".*"$/.test(raw)) value = raw.slice(1, -1);
    if (value === undefined) return this.skipped.push({ rule, reason: `cannot read the value ${raw}` });
    const t = this.translate(fshPath);
    if (t.reason) return this.skipped.push({ rule, reason: t.reason });
    this.add(rule, this.scoped(t, `${t.last}.all($this = ${literal(value)})`));
  }

  only(rule, fshPath, types) {
    const t = this.translate(fshPath.replace(/\[x\]$/, ''));
    if (t.reason) return this.skipped.push({ rule, reason: t.reason });
    const ref = types.match(/^Reference\((.+)\)$/);
    if (!ref) {
      const alternatives = types.split(/\s+or\s+/).map((type) => `$this is ${type}`);
      return this.add(rule, this.scoped(t, `${t.last}.all(${alternatives.join(' or ')})`));
    }
    const urls = [];
    for (const name of ref[1].split(/\s+or\s+/)) {
      const url = this.env.canonicalOf(name.trim());
      if (!url) return this.skipped.push({ rule, reason: `the profile ${name} is not known` });
      urls.push(url);
    }
    // The referenced resource is in the Bundle and claims one of the target profiles.
    const claims = urls.map((u) => `$this = ${literal(u)}`).join(' or ');
    this.add(rule, this.scoped(t, `${t.last}.all(reference.resolve().meta.profile.where(${claims}).exists())`));
  }
}

/** The FSH path up to (not including) the slice of `segment`: `payload[string].x` → `payload`. */
function fshPrefix(fshPath, segment) {
  const at = fshPath.indexOf(segment);
  const before = fshPath.slice(0, at);
  const name = segment.replace(/\[.*$/, '');
  return `${before}${name}`;
}
