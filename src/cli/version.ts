declare const __AUDITWIRE_VERSION__: string | undefined;

/** The package version, stamped in at build time; "dev" when run from source (tests). */
export const VERSION: string = typeof __AUDITWIRE_VERSION__ === 'string' ? __AUDITWIRE_VERSION__ : 'dev';
