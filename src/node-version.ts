/** The oldest Node auditwire runs on (package.json `engines`): undici 8 needs the zlib functions of Node 22.19. */
export const MINIMUM_NODE = '22.19';

/** The one line an unsupported Node gets, or undefined when `version` (e.g. `v20.11.1`) is new enough. */
export function unsupportedNodeMessage(version: string): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [wantMajor = 0, wantMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  const supported = major > wantMajor || (major === wantMajor && minor >= wantMinor);
  return supported ? undefined : `auditwire needs Node >= ${MINIMUM_NODE}; this is ${version}`;
}
