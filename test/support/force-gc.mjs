// Preloaded (`node --expose-gc --import …/force-gc.mjs`) by the example test of the time budget:
// collects garbage every 5 ms, so an object only weakly held (the timeout signal of
// AbortSignal.any, nodejs/node#57736) is collected long before it would fire.
if (typeof globalThis.gc === 'function') setInterval(() => globalThis.gc(), 5).unref();
