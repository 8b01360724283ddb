{{/*
Entry point and helpers. A service chart calls "base-chart.all" with its
root context; everything else receives the merged context built here
(.Values = defaults overlaid with the service's values).
*/}}

{{- define "base-chart.context" -}}
{{- $defaults := fromYaml (include "base-chart.defaults" .) }}
{{- $values := mustMergeOverwrite $defaults (deepCopy .Values) }}
{{- toYaml $values }}
{{- end }}

{{- define "base-chart.all" -}}
{{- $values := fromYaml (include "base-chart.context" .) }}
{{- $ctx := dict "Values" $values "Release" .Release "Chart" .Chart "Capabilities" .Capabilities }}
{{- include "base-chart.validate" $ctx }}
{{- $parts := list "base-chart.serviceaccount" "base-chart.configmap" "base-chart.deployment" "base-chart.service" "base-chart.hpa" "base-chart.pdb" "base-chart.networkpolicy" }}
{{- range $parts }}
{{- $doc := include . $ctx }}
{{- if trim $doc }}
---
{{ trim $doc }}
{{- end }}
{{- end }}
{{- end }}

{{- define "base-chart.validate" -}}
{{- $v := .Values }}
{{- if not (has $v.environment (list "dev" "staging" "production")) }}
{{- fail (printf "environment must be dev, staging or production, not %q" $v.environment) }}
{{- end }}
{{- if not (has $v.domain (list "user" "product" "order")) }}
{{- fail (printf "domain must be user, product or order, not %q" $v.domain) }}
{{- end }}
{{- if not $v.component }}{{ fail "component is required" }}{{ end }}
{{- if and $v.strictNamespace (ne .Release.Namespace (include "base-chart.namespace" .)) }}
{{- fail (printf "release namespace %q does not match %q" .Release.Namespace (include "base-chart.namespace" .)) }}
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas is above autoscaling.maxReplicas" }}
{{- end }}
{{- end }}

{{- define "base-chart.namespace" -}}
{{- printf "microservices-%s-%s" .Values.domain .Values.environment }}
{{- end }}

{{- define "base-chart.name" -}}
{{- printf "%s-%s" .Values.domain .Values.component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "base-chart.selectorLabels" -}}
app.kubernetes.io/name: {{ include "base-chart.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "base-chart.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "base-chart.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: microservices-platform
platform/domain: {{ .Values.domain }}
platform/environment: {{ .Values.environment }}
{{- end }}

{{- define "base-chart.image" -}}
{{- $repo := .Values.image.repository }}
{{- if not $repo }}
{{- if .Values.image.registry }}
{{- $repo = printf "%s/%s" .Values.image.registry (include "base-chart.name" .) }}
{{- else }}
{{- $repo = include "base-chart.name" . }}
{{- end }}
{{- end }}
{{- printf "%s:%s" $repo .Values.image.tag }}
{{- end }}

{{- define "base-chart.roleArn" -}}
{{- default (printf "arn:aws:iam::%s:role/microservices-%s-%s-irsa" .Values.aws.accountId .Values.domain .Values.environment) .Values.serviceAccount.roleArn }}
{{- end }}

{{- define "base-chart.objectStorageEndpoint" -}}
{{- default (printf "http://cairn.microservices-storage-%s.svc.cluster.local:9000" .Values.environment) .Values.objectStorage.endpoint }}
{{- end }}
