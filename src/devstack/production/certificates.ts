import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** PEM files of the stack's own certificate authority, the frontend's certificate and a client certificate. */
export interface StackCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The name the server certificate carries (and clients check), besides 127.0.0.1. */
  serverName: string;
}

const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A CA and the certificates for mutual TLS on the frontend, made with openssl (argument arrays, no shell).
 * Kept in `dir` and reused on the next start, so clients configured once keep working; valid 90 days.
 */
export async function ensureCertificates(dir: string): Promise<StackCertificates> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: StackCertificates = {
    caCert: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    serverName: 'localhost',
  };
  const pems = [files.caCert, files.serverCert, files.serverKey, files.clientCert, files.clientKey];
  if (pems.every((file) => existsSync(file))) return files;
  const caKey = join(dir, 'ca.key');
  const days = ['-days', '90'];
  await openssl([
    'req', '-x509', ...curve, ...days, '-keyout', caKey, '-out', files.caCert,
    '-subj', '/CN=shipgate devstack CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
  const leaf = (cert: string, key: string, subject: string, usage: string, san: string[]): Promise<void> =>
    openssl([
      'req', '-x509', ...curve, ...days, '-keyout', key, '-out', cert, '-CA', files.caCert, '-CAkey', caKey,
      '-subj', subject,
      '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature',
      '-addext', `extendedKeyUsage=${usage}`,
      ...(san.length ? ['-addext', `subjectAltName=${san.join(',')}`] : []),
    ]); // prettier-ignore
  await leaf(files.serverCert, files.serverKey, '/CN=localhost', 'serverAuth', ['DNS:localhost', 'IP:127.0.0.1']);
  await leaf(files.clientCert, files.clientKey, '/CN=shipgate client', 'clientAuth', []);
  return files;
}

async function openssl(args: string[]): Promise<void> {
  const result = await execa('openssl', args, { reject: false, all: true });
  if (result.exitCode !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed:\n${result.all}`);
}
