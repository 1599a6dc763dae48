export { Image, ImageError, type ImageOptions, type Range } from './image.ts';
export { SymbolTable, type ImageSymbol, xenSymbolName } from './symbols.ts';
export { ExceptionTable, type ExceptionEntry, decodeExceptionTable, encodeExceptionTable, heapsort } from './exception-table.ts';
export { BugFrames, decodeBugFrames, type RawBugFrame } from './bug-frames.ts';
export { prepareEnvironment, isBuiltin, BUILTIN_MARKER } from './environment.ts';
export { resolveImage, BUILTIN_IMAGE, DEBIAN_IMAGE, DEBIAN_420_IMAGE, NAMED_IMAGES, REPO_ROOT } from './paths.ts';
export { readXenVersion, formatXenVersion, compareXenVersion, type XenVersion } from './version.ts';
