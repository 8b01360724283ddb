'use strict';
// The platform's facts, written down once for the checks. They restate the
// requirements (issue 9), so the charts and Terraform are checked against
// an independent copy rather than against themselves.

const ENVIRONMENTS = ['dev', 'staging', 'production'];

const DOMAINS = {
  user: ['user-profiles', 'user-avatars', 'user-documents'],
  product: ['product-images', 'product-docs', 'product-videos', 'ml-models'],
  order: ['order-receipts', 'order-exports', 'order-attachments'],
};

// service -> [domain, min replicas, max replicas] (min == max == 1: no HPA)
const SERVICES = {
  'user-api': ['user', 2, 15],
  'user-auth': ['user', 2, 15],
  'user-profile': ['user', 2, 15],
  'user-notification': ['user', 2, 15],
  'product-api': ['product', 3, 15],
  'product-search': ['product', 3, 15],
  'product-recommendation': ['product', 3, 15],
  'product-inventory': ['product', 3, 15],
  'order-api': ['order', 2, 20],
  'order-worker': ['order', 2, 20],
  'order-scheduler': ['order', 1, 1],
};

const STORAGE = {
  dev: { replicas: 1, size: '10Gi', consoleExternal: true },
  staging: { replicas: 2, size: '50Gi', consoleExternal: false },
  production: { replicas: 4, size: '100Gi', consoleExternal: false },
};

const INFRA = {
  dev: { cidr: '10.0.0.0/16', instance: 't3.medium', min: 2, max: 5, retention: 7 },
  staging: { cidr: '10.10.0.0/16', instance: 't3.small', min: 1, max: 3, retention: 30 },
  production: { cidr: '10.20.0.0/16', instance: 't3.large', min: 3, max: 10, retention: 90 },
};

const REGION = 'ca-central-1';
const ROOTS = ['core-infra', 'domain-user', 'domain-product', 'domain-order'];
const KUBE_VERSION = '1.30.0';

const storageNamespace = (env) => `microservices-storage-${env}`;
const domainNamespace = (domain, env) => `microservices-${domain}-${env}`;

module.exports = {
  ENVIRONMENTS, DOMAINS, SERVICES, STORAGE, INFRA, REGION, ROOTS, KUBE_VERSION,
  storageNamespace, domainNamespace,
  ALL_BUCKETS: Object.values(DOMAINS).flat(),
};
