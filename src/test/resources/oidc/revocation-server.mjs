// panva's oidc-provider as a real RFC 7009 server for RevocationOidcProviderTest:
// client_credentials, revocation and introspection on, one confidential client (client_secret_basic).
// Usage: node revocation-server.mjs <port>   (NODE_PATH or a node_modules beside it must hold oidc-provider)
import { createRequire } from 'node:module';
import path from 'node:path';

const modules = process.env.OIDC_PROVIDER_MODULES;
const require = createRequire(path.join(modules, 'noop.js'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const port = Number(process.argv[2]);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'broker', client_secret: 'broker-secret-0123456789',
    grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
    token_endpoint_auth_method: 'client_secret_basic', scope: 'api',
  }],
  scopes: ['api'],
  features: {
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
