export { Image, ImageError, type ImageOptions, type Range } from './image.ts';
export { SymbolTable, type ImageSymbol, xenSymbolName } from './symbols.ts';
export { ExceptionTable, type ExceptionEntry, decodeExceptionTable, encodeExceptionTable, heapsort } from './exception-table.ts';
export { BugFrames, decodeBugFrames, type RawBugFrame } from './bug-frames.ts';
export { prepareEnvironment, isBuiltin, BUILTIN_MARKER } from './environment.ts';
export { resolveImage, BUILTIN_IMAGE, DEBIAN_IMAGE, REPO_ROOT } from './paths.ts';
