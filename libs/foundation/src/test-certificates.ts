import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, as PEM files and as bytes. */
export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export interface TestPki {
  dir: string;
  /** The test CA's certificate: what a dialer trusts, and what a listener checks client certificates against. */
  caFile: string;
  ca: Buffer;
  /** Issues a certificate signed by the CA, with subject CN `name` and these subject alternative names. */
  issue(name: string, altNames?: { ips?: string[]; dns?: string[] }): TestCertificate;
  /** Removes every file. */
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A throwaway CA made with the real `openssl` (a Debian package the tests provision), for tests of TLS
 * and mutual TLS: certificates are made by the tests, never checked in. EC P-256 keys keep it fast.
 */
export function makeTestPki(name = 'infermesh-test'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), `${name}-pki-`));
  const caFile = join(dir, 'ca.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name} CA`,
    '-keyout', 'ca-key.pem', '-out', 'ca.pem'], dir);
  return {
    dir,
    caFile,
    ca: readFileSync(caFile),
    issue(cn, altNames = {}) {
      const base = cn.replace(/[^A-Za-z0-9_.-]/g, '_');
      const san = [...(altNames.ips ?? []).map((ip) => `IP:${ip}`), ...(altNames.dns ?? []).map((d) => `DNS:${d}`)];
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`,
        '-keyout', `${base}-key.pem`, '-out', `${base}.csr`], dir);
      const ext = join(dir, `${base}.ext`);
      writeFileSync(ext, `basicConstraints=CA:FALSE\n${san.length ? `subjectAltName=${san.join(',')}\n` : ''}`);
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1',
        '-extfile', ext, '-out', `${base}.pem`], dir);
      const certFile = join(dir, `${base}.pem`);
      const keyFile = join(dir, `${base}-key.pem`);
      return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
