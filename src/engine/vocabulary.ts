/**
 * The names the engine recognises syntactically, before any type-checker call. Every set here is a cheap filter:
 * a name in it is only a candidate until the types confirm it.
 */

/** Methods that register a listener: `emitter.on(event, fn)`. */
export const LISTENER_METHODS: ReadonlySet<string> = new Set([
  'on',
  'once',
  'addListener',
  'prependListener',
  'prependOnceListener',
]);

/** Methods that close a socket or stream (both graceful and abortive). */
export const CLOSER_METHODS: ReadonlySet<string> = new Set([
  'end',
  'destroy',
  'destroySoon',
  'resetAndDestroy',
]);

/** Methods that close a server. */
export const SERVER_CLOSER_METHODS: ReadonlySet<string> = new Set(['close', 'closeAllConnections']);

/** Methods that abort an http.ClientRequest. */
export const REQUEST_CLOSER_METHODS: ReadonlySet<string> = new Set(['destroy', 'abort']);

/** Methods that consume (or start consuming) the readable side of a stream. */
export const READER_METHODS: ReadonlySet<string> = new Set(['pipe', 'resume', 'read']);

/** Events whose listener consumes the readable side by itself. */
export const READER_EVENTS: ReadonlySet<string> = new Set(['data']);

/** Methods that write to the writable side. */
export const WRITE_METHODS: ReadonlySet<string> = new Set(['write']);

/** Methods of a socket or stream that return `this`, so `a.on(...).on(...)` is still `a`. */
export const CHAINABLE_METHODS: ReadonlySet<string> = new Set([
  'on',
  'once',
  'addListener',
  'prependListener',
  'prependOnceListener',
  'off',
  'removeListener',
  'removeAllListeners',
  'setMaxListeners',
  'setTimeout',
  'setNoDelay',
  'setKeepAlive',
  'setEncoding',
  'pause',
  'resume',
  'ref',
  'unref',
  'cork',
  'uncork',
  'setDefaultEncoding',
  'connect',
  'listen',
]);

/** Functions of `node:stream` (and `node:stream/promises`) that take ownership of the streams they are given. */
export const STREAM_OWNERS: ReadonlySet<string> = new Set(['pipeline', 'finished', 'addAbortSignal', 'compose']);

/** Node builtin modules the engine cares about, without the `node:` prefix. */
export const NODE_MODULES: ReadonlySet<string> = new Set([
  'net',
  'tls',
  'http',
  'https',
  'http2',
  'stream',
  'stream/promises',
  'events',
]);

/** Functions that only look at a value (logging, inspection): passing a socket to them is not a transfer. */
export const OBSERVER_CALLEES: ReadonlySet<string> = new Set([
  'console.log',
  'console.error',
  'console.warn',
  'console.info',
  'console.debug',
  'console.trace',
  'console.dir',
  'util.inspect',
  'util.format',
  'inspect',
  'format',
  'String',
  'JSON.stringify',
  'assert',
  'assert.ok',
  'Boolean',
]);

/**
 * Properties whose test guards a write: `if (!socket.destroyed) socket.write(x)`.
 */
export const WRITABLE_GUARDS: ReadonlySet<string> = new Set([
  'writable',
  'writableEnded',
  'writableFinished',
  'destroyed',
  'closed',
  'readyState',
  'connecting',
  'pending',
]);

/**
 * Events whose listeners run on an error or abort path: an abortive close (`resetAndDestroy()`) is intended there.
 * `'timeout'` counts: giving up on an idle peer is an abort.
 */
export const ERROR_EVENTS: ReadonlySet<string> = new Set(['error', 'timeout', 'aborted', 'abort', 'clientError']);

/** The http.Server properties (and `createServer` options) that drive its reaping of idle or slow connections. */
export const HTTP_REAPING_TIMEOUTS: ReadonlySet<string> = new Set(['keepAliveTimeout', 'headersTimeout', 'requestTimeout']);

/** Methods of a fetch `Response` that read its whole body. */
export const BODY_READER_METHODS: ReadonlySet<string> = new Set([
  'text',
  'json',
  'arrayBuffer',
  'blob',
  'formData',
  'bytes',
]);

/** Methods of a fetch `Response`'s `body` (a web `ReadableStream`) that read it or cancel it. */
export const BODY_STREAM_METHODS: ReadonlySet<string> = new Set([
  'cancel',
  'getReader',
  'pipeTo',
  'pipeThrough',
  'tee',
  'values',
]);

/** `stream.Readable` helper methods that read the stream to its end (or hand it to a stream that does). */
export const READABLE_CONSUMER_METHODS: ReadonlySet<string> = new Set([
  'toArray',
  'forEach',
  'reduce',
  'some',
  'every',
  'find',
  'map',
  'filter',
  'flatMap',
  'take',
  'drop',
  'iterator',
  'compose',
  'asIndexedPairs',
]);

/**
 * Globals of the language and of Node that never are, make or return a socket, a server or an http message (their
 * calls and `new`s need no type query). `Request`, `Response` and `process` are left out on purpose.
 */
export const NON_SOCKET_GLOBALS: ReadonlySet<string> = new Set([
  'AbortController',
  'AggregateError',
  'Array',
  'ArrayBuffer',
  'BigInt',
  'Boolean',
  'Buffer',
  'DataView',
  'Date',
  'Error',
  'Float32Array',
  'Float64Array',
  'Function',
  'Int16Array',
  'Int32Array',
  'Int8Array',
  'Intl',
  'JSON',
  'Map',
  'Math',
  'Number',
  'Object',
  'Promise',
  'Proxy',
  'RangeError',
  'ReferenceError',
  'Reflect',
  'RegExp',
  'Set',
  'String',
  'Symbol',
  'SyntaxError',
  'TextDecoder',
  'TextEncoder',
  'TypeError',
  'URIError',
  'URL',
  'URLSearchParams',
  'Uint16Array',
  'Uint32Array',
  'Uint8Array',
  'WeakMap',
  'WeakRef',
  'WeakSet',
  'console',
  'require',
]);

/**
 * Methods of the language's strings, arrays, functions, numbers, promises and fetch bodies. A call `x.m()` with one of
 * these names is not looked up as a helper of the program: resolving it makes the checker type `x` (an element of a
 * reply array, a callback parameter), which can cost more than all the rest of a file, and a program's own method of
 * that name that hands out or takes over a socket would be a rare thing. Names a program plausibly gives its own
 * methods (`get`, `set`, `add`, `push`, `open`, `close`, `then`) are not in the list.
 */
export const LANGUAGE_METHODS: ReadonlySet<string> = new Set([
  'apply',
  'arrayBuffer',
  'at',
  'bind',
  'blob',
  'call',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'concat',
  'endsWith',
  'entries',
  'every',
  'fill',
  'filter',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flat',
  'flatMap',
  'forEach',
  'includes',
  'indexOf',
  'join',
  'json',
  'keys',
  'lastIndexOf',
  'localeCompare',
  'map',
  'match',
  'matchAll',
  'normalize',
  'padEnd',
  'padStart',
  'reduce',
  'reduceRight',
  'repeat',
  'replace',
  'replaceAll',
  'reverse',
  'shift',
  'slice',
  'some',
  'sort',
  'splice',
  'split',
  'startsWith',
  'subarray',
  'substring',
  'test',
  'text',
  'toFixed',
  'toJSON',
  'toLocaleString',
  'toLowerCase',
  'toString',
  'toUpperCase',
  'trim',
  'trimEnd',
  'trimStart',
  'unshift',
  'valueOf',
  'values',
]);
