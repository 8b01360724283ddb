{{/*
Names, labels and the derived numbers (topology argument, erasure parity,
write quorum) shared by the cairn templates.
*/}}

{{- define "cairn.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cairn.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "cairn.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "cairn.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "cairn.headlessName" -}}
{{- printf "%s-hl" (include "cairn.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cairn.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cairn.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cairn.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "cairn.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: microservices-platform
platform/environment: {{ .Values.environment }}
{{- end }}

{{- define "cairn.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "cairn.secretName" -}}
{{- default (printf "%s-root" (include "cairn.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{- define "cairn.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cairn.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The platform's namespace for the storage of one environment. */}}
{{- define "cairn.expectedNamespace" -}}
{{- printf "microservices-storage-%s" .Values.environment }}
{{- end }}

{{- define "cairn.checkNamespace" -}}
{{- if not (has .Values.environment (list "dev" "staging" "production")) }}
{{- fail (printf "environment must be dev, staging or production, not %q" .Values.environment) }}
{{- end }}
{{- if and .Values.strictNamespace (ne .Release.Namespace (include "cairn.expectedNamespace" .)) }}
{{- fail (printf "release namespace %q does not match %q (set strictNamespace=false to override)" .Release.Namespace (include "cairn.expectedNamespace" .)) }}
{{- end }}
{{- end }}

{{/*
Topology argument handed to `cairn server`: drives of this pod when there
is one pod, else every pod's drives through the headless Service's DNS
names, in MinIO's ellipsis notation.
*/}}
{{- define "cairn.drivePattern" -}}
{{- if eq (int .Values.drivesPerPod) 1 }}/data1{{ else }}{{ printf "/data{1...%d}" (int .Values.drivesPerPod) }}{{ end }}
{{- end }}

{{- define "cairn.topology" -}}
{{- $replicas := int .Values.replicas }}
{{- if eq $replicas 1 }}
{{- include "cairn.drivePattern" . }}
{{- else }}
{{- printf "http://%s-{0...%d}.%s.%s.svc.cluster.local:%d%s" (include "cairn.fullname" .) (sub $replicas 1) (include "cairn.headlessName" .) .Release.Namespace (int .Values.ports.api) (include "cairn.drivePattern" .) }}
{{- end }}
{{- end }}

{{- define "cairn.totalDrives" -}}
{{- mul (int .Values.replicas) (int .Values.drivesPerPod) }}
{{- end }}

{{/* Parity per erasure set: the server's default for the drive count. */}}
{{- define "cairn.parity" -}}
{{- $n := int (include "cairn.totalDrives" .) }}
{{- if gt (int .Values.erasure.parity) 0 }}{{ int .Values.erasure.parity }}
{{- else if le $n 1 }}0
{{- else if le $n 3 }}1
{{- else if le $n 5 }}2
{{- else if le $n 7 }}3
{{- else }}4
{{- end }}
{{- end }}

{{/*
Pods that must stay up so that writes keep their quorum. Write quorum is
data drives (total - parity), one more when data == parity; the drives
beyond it may be lost, a whole pod's drives at a time.
*/}}
{{- define "cairn.minAvailable" -}}
{{- $n := int (include "cairn.totalDrives" .) }}
{{- if gt $n 16 }}
{{- fail "more than 16 drives spans several erasure sets: set podDisruptionBudget.minAvailable explicitly" }}
{{- end }}
{{- $parity := int (include "cairn.parity" .) }}
{{- $data := sub $n $parity }}
{{- $quorum := $data }}
{{- if eq $data $parity }}{{ $quorum = add1 $data }}{{ end }}
{{- $spare := sub $n $quorum }}
{{- $podsDown := div $spare (int .Values.drivesPerPod) }}
{{- sub (int .Values.replicas) $podsDown }}
{{- end }}

{{- define "cairn.clientNamespaces" -}}
{{- $env := .Values.environment }}
{{- $out := list }}
{{- range .Values.networkPolicy.domains }}
{{- $out = append $out (printf "microservices-%s-%s" . $env) }}
{{- end }}
{{- range .Values.networkPolicy.extraClientNamespaces }}
{{- $out = append $out . }}
{{- end }}
{{- toJson $out }}
{{- end }}
