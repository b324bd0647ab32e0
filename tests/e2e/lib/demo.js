// What the browser tests expect `samspor serve --demo` to seed. The UI tests
// depend on these values, so a change to the demo seed must be mirrored here.

export const DEMO_PASSWORD = 'samspor-demo';

export const COORDINATOR_KOBENHAVN = {
  email: 'koordinator.kobenhavn@demo.samspor.dk',
  // Shown on the front page after login and recorded as the actor in the
  // access log.
  name: 'Mette Kjær',
};

export const COORDINATOR_AARHUS = {
  email: 'koordinator.aarhus@demo.samspor.dk',
};
