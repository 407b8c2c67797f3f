import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** A self-signed certificate for 127.0.0.1, made for one test run. */
export interface LocalCertificate {
  readonly key: string;
  readonly cert: string;
  /** The certificate's file: what `NODE_EXTRA_CA_CERTS` names for a process that must trust it. */
  readonly certFile: string;
}

/**
 * Generates a key and a self-signed certificate for IP 127.0.0.1 with the openssl CLI
 * into `directory`. The certificate is its own CA: a process given it in
 * `NODE_EXTRA_CA_CERTS` verifies the local HTTPS endpoint as it would S3's, with TLS
 * verification left on.
 */
export function createLocalCertificate(directory: string): LocalCertificate {
  const keyFile = path.join(directory, 'local-key.pem');
  const certFile = path.join(directory, 'local-cert.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), certFile };
}
