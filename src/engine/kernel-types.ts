/** Types shared by the kernels that the engine adds to tfjs backends. */

/**
 * A kernel's inputs as it receives them. tfjs types most input maps as `Pick<NamedTensorInfoMap, 'x'>`,
 * whose fields may be undefined; the inputs that an op always passes are there (optional ones stay optional).
 */
export type Given<I> = { [K in keyof I]: Exclude<I[K], undefined> };
