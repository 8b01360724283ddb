{{/*
Defaults for every microservice. The service chart's values are merged on
top (maps merge key by key, lists replace).
*/}}
{{- define "base-chart.defaults" -}}
# dev | staging | production
environment: dev
# user | product | order
domain: ""
# The service's part of its name: <domain>-<component>, e.g. user-api.
component: ""
# The release namespace must be microservices-<domain>-<environment>.
strictNamespace: true

aws:
  accountId: "123456789012"
  region: ca-central-1

image:
  # Empty repository = <registry>/<domain>-<component>
  registry: ""
  repository: ""
  tag: latest
  pullPolicy: IfNotPresent
imagePullSecrets: []

replicaCount: 2
strategy: RollingUpdate
autoscaling:
  enabled: true
  minReplicas: 2
  maxReplicas: 10
  targetCPUUtilizationPercentage: 70
  targetMemoryUtilizationPercentage: 80
  scaleDownStabilizationSeconds: 300

resources:
  requests:
    cpu: "2"
    memory: 2Gi
  limits:
    cpu: "4"
    memory: 4Gi

containerPort: 8080
service:
  enabled: true
  type: ClusterIP
  port: 80

probes:
  liveness:
    path: /healthz/live
    initialDelaySeconds: 15
    periodSeconds: 10
    timeoutSeconds: 3
    failureThreshold: 3
  readiness:
    path: /healthz/ready
    initialDelaySeconds: 5
    periodSeconds: 10
    timeoutSeconds: 3
    failureThreshold: 3
  startup:
    path: /healthz/live
    periodSeconds: 5
    failureThreshold: 30

serviceAccount:
  create: true
  # Empty = arn:aws:iam::<aws.accountId>:role/microservices-<domain>-<environment>-irsa,
  # the role Terraform's microservice-base module creates for the domain.
  roleArn: ""
  annotations: {}

podSecurityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  fsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  privileged: false
  capabilities:
    drop:
      - ALL

# Plain settings, rendered into the service's ConfigMap (envFrom).
config: {}
env: []
# Secrets whose keys all become environment variables (e.g. the database
# credentials Terraform writes into the namespace).
envFromSecrets: []

objectStorage:
  enabled: true
  # Empty = http://cairn.microservices-storage-<environment>.svc.cluster.local:9000
  endpoint: ""
  region: us-east-1
  forcePathStyle: true
  # Bucket names; each becomes OBJECT_STORAGE_BUCKET_<NAME> in the ConfigMap.
  buckets: []
  # Written into the namespace by Terraform (microservice-base). The keys
  # are deliberately not AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: those
  # would override the pod's IRSA role for real AWS calls.
  credentialsSecret:
    name: object-storage-credentials
    accessKeyKey: access-key
    secretKeyKey: secret-key

podDisruptionBudget:
  enabled: true
  maxUnavailable: 1

networkPolicy:
  enabled: true
  # Namespaces allowed to call the service (besides its own namespace).
  ingressNamespaces:
    - ingress-nginx
    - monitoring

podAnnotations: {}
podLabels: {}
nodeSelector: {}
tolerations: []
topologySpread: true
terminationGracePeriodSeconds: 30
{{- end }}
