// A JS model for the tests: doubles `x`, fails on demand, records close().
export let closed = 0;
export async function run(inputs) {
  const x = inputs.x;
  if (x.shape[0] === 13) throw new Error('unlucky batch');
  if (x.shape[0] === 7) await new Promise((resolve) => setTimeout(resolve, 1000));
  return { y: { datatype: 'FP32', shape: x.shape, data: x.data.map((v) => v * 2) } };
}
export function close() {
  closed++;
}
