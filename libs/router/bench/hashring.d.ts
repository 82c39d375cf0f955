// Just the part of the untyped `hashring` package the bench uses.
declare module 'hashring' {
  export default class HashRing {
    constructor(servers: string[] | Record<string, number | { weight: number }>, algorithm?: string, options?: Record<string, number>);
    get(key: string): string;
    add(servers: string | string[]): this;
    remove(server: string): this;
  }
}
