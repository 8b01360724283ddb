{{/* The objects of one microservice; each gets the merged context. */}}

{{- define "base-chart.serviceaccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "base-chart.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "base-chart.labels" . | nindent 4 }}
  annotations:
    eks.amazonaws.com/role-arn: {{ include "base-chart.roleArn" . | quote }}
    {{- with .Values.serviceAccount.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end }}

{{- define "base-chart.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "base-chart.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "base-chart.labels" . | nindent 4 }}
data:
  SERVICE_NAME: {{ include "base-chart.name" . | quote }}
  PLATFORM_DOMAIN: {{ .Values.domain | quote }}
  PLATFORM_ENVIRONMENT: {{ .Values.environment | quote }}
  {{- if .Values.objectStorage.enabled }}
  OBJECT_STORAGE_ENDPOINT: {{ include "base-chart.objectStorageEndpoint" . | quote }}
  OBJECT_STORAGE_REGION: {{ .Values.objectStorage.region | quote }}
  OBJECT_STORAGE_FORCE_PATH_STYLE: {{ .Values.objectStorage.forcePathStyle | toString | quote }}
  {{- range .Values.objectStorage.buckets }}
  OBJECT_STORAGE_BUCKET_{{ . | upper | replace "-" "_" }}: {{ . | quote }}
  {{- end }}
  {{- end }}
  {{- range $k, $val := .Values.config }}
  {{ $k }}: {{ $val | toString | quote }}
  {{- end }}
{{- end }}

{{- define "base-chart.probe" -}}
httpGet:
  path: {{ .probe.path }}
  port: http
{{- with .probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
{{- with .probe.timeoutSeconds }}
timeoutSeconds: {{ . }}
{{- end }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{- define "base-chart.deployment" -}}
{{- $v := .Values }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "base-chart.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "base-chart.labels" . | nindent 4 }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: {{ $v.strategy }}
    {{- if eq $v.strategy "RollingUpdate" }}
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
    {{- end }}
  selector:
    matchLabels:
      {{- include "base-chart.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "base-chart.labels" . | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include "base-chart.configmap" . | sha256sum }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ if $v.serviceAccount.create }}{{ include "base-chart.name" . }}{{ else }}default{{ end }}
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if $v.topologySpread }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "base-chart.selectorLabels" . | nindent 14 }}
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "base-chart.selectorLabels" . | nindent 14 }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ include "base-chart.name" . }}
          image: {{ include "base-chart.image" . | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $v.containerPort }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "base-chart.name" . }}
            {{- range $v.envFromSecrets }}
            - secretRef:
                name: {{ . }}
            {{- end }}
          env:
            {{- if $v.objectStorage.enabled }}
            - name: OBJECT_STORAGE_ACCESS_KEY
              valueFrom:
                secretKeyRef:
                  name: {{ $v.objectStorage.credentialsSecret.name }}
                  key: {{ $v.objectStorage.credentialsSecret.accessKeyKey }}
            - name: OBJECT_STORAGE_SECRET_KEY
              valueFrom:
                secretKeyRef:
                  name: {{ $v.objectStorage.credentialsSecret.name }}
                  key: {{ $v.objectStorage.credentialsSecret.secretKeyKey }}
            {{- end }}
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            {{- with $v.env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          startupProbe:
            {{- include "base-chart.probe" (dict "probe" $v.probes.startup) | nindent 12 }}
          livenessProbe:
            {{- include "base-chart.probe" (dict "probe" $v.probes.liveness) | nindent 12 }}
          readinessProbe:
            {{- include "base-chart.probe" (dict "probe" $v.probes.readiness) | nindent 12 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $v.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 1Gi
{{- end }}

{{- define "base-chart.service" -}}
{{- if .Values.service.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "base-chart.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "base-chart.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  selector:
    {{- include "base-chart.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
{{- end }}
{{- end }}

{{- define "base-chart.hpa" -}}
{{- $a := .Values.autoscaling }}
{{- if $a.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "base-chart.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "base-chart.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "base-chart.name" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $a.targetMemoryUtilizationPercentage }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: {{ $a.scaleDownStabilizationSeconds }}
{{- end }}
{{- end }}

{{- define "base-chart.pdb" -}}
{{- $min := ternary .Values.autoscaling.minReplicas .Values.replicaCount .Values.autoscaling.enabled }}
{{- if and .Values.podDisruptionBudget.enabled (gt (int $min) 1) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "base-chart.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "base-chart.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "base-chart.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{- define "base-chart.networkpolicy" -}}
{{- if .Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "base-chart.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "base-chart.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "base-chart.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector: {}
        {{- with .Values.networkPolicy.ingressNamespaces }}
        - namespaceSelector:
            matchExpressions:
              - key: kubernetes.io/metadata.name
                operator: In
                values:
                  {{- toYaml . | nindent 18 }}
        {{- end }}
      ports:
        - port: http
          protocol: TCP
{{- end }}
{{- end }}
