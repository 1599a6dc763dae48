// The domains Xen's context can make current (a privileged control domain, dom0, and an ordinary PV guest),
// apart from the context itself so that option and file checks need not load the emulator.
export const DOMAIN_KINDS = ['control', 'guest'] as const;
export type DomainKind = (typeof DOMAIN_KINDS)[number];

export const isDomainKind = (v: string): v is DomainKind => (DOMAIN_KINDS as readonly string[]).includes(v);
