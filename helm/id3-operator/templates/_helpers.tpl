{{/* The chart name, overridable. */}}
{{- define "id3.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects: the release name when it already contains the chart name (release
"id3-operator" gives "id3-operator", not "id3-operator-id3-operator"), else "<release>-<chart>". 63 characters at most
(the DNS label limit of Service names).
*/}}
{{- define "id3.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "id3.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object of the release. */}}
{{- define "id3.labels" -}}
helm.sh/chart: {{ include "id3.chart" . }}
{{ include "id3.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: id3-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The operator pods' selector: stable across upgrades (Deployment selectors are immutable). */}}
{{- define "id3.selectorLabels" -}}
app.kubernetes.io/name: {{ include "id3.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "id3.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "id3.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository[:tag][@digest]; the tag defaults to the chart's appVersion. */}}
{{- define "id3.imageRef" -}}
{{- $tag := default .chart.AppVersion .image.tag }}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{- define "id3.operatorImage" -}}
{{- include "id3.imageRef" (dict "image" .Values.image "chart" .Chart) }}
{{- end }}

{{- define "id3.workerImage" -}}
{{- include "id3.imageRef" (dict "image" .Values.workerImage "chart" .Chart) }}
{{- end }}

{{- define "id3.leaseName" -}}
{{- default (printf "%s-leader" (include "id3.fullname" .)) .Values.operator.leaderElection.leaseName }}
{{- end }}

{{/* Where the operator's rules apply: the watched namespace, or the whole cluster. */}}
{{- define "id3.namespaced" -}}
{{- if .Values.watchNamespace }}true{{ end }}
{{- end }}
