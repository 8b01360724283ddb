# cairn in microservices-storage-<environment>, installed from the chart in
# this repository (deploy/helm/cairn) with the environment's values file.
# The root credentials are generated here and handed to the chart as an
# existing Secret, so no credentials ever come from chart defaults.

locals {
  namespace   = "microservices-storage-${var.environment}"
  chart_path  = "${path.module}/../../../helm/cairn"
  secret_name = "cairn-root-credentials"
  endpoint    = "http://cairn.${local.namespace}.svc.cluster.local:9000"
}

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = local.namespace
    labels = {
      "platform/domain"                    = "storage"
      "platform/environment"               = var.environment
      "pod-security.kubernetes.io/enforce" = "restricted"
    }
  }
}

resource "kubernetes_storage_class_v1" "gp3" {
  count = var.storage_class == "gp3" ? 1 : 0
  metadata {
    name = "gp3"
  }
  storage_provisioner    = "ebs.csi.aws.com"
  reclaim_policy         = "Retain"
  volume_binding_mode    = "WaitForFirstConsumer"
  allow_volume_expansion = true
  parameters = {
    type      = "gp3"
    encrypted = "true"
    fsType    = "xfs"
    # AWS Backup selects the drives by this tag (core-infra's backup plan).
    tagSpecification_1 = "platform/backup=daily"
  }
}

resource "random_password" "root" {
  length  = 40
  special = false
}

resource "kubernetes_secret_v1" "root" {
  metadata {
    name      = local.secret_name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  data = {
    rootUser     = var.root_user
    rootPassword = random_password.root.result
  }
}

resource "helm_release" "cairn" {
  name             = "cairn"
  chart            = local.chart_path
  namespace        = kubernetes_namespace_v1.this.metadata[0].name
  create_namespace = false
  atomic           = true
  wait             = true
  wait_for_jobs    = true
  timeout          = var.timeout_seconds

  values = concat(
    [file("${local.chart_path}/values-${var.environment}.yaml")],
    [yamlencode({
      image = {
        repository = var.image_repository
        tag        = var.image_tag
      }
      auth = {
        existingSecret = kubernetes_secret_v1.root.metadata[0].name
      }
      persistence = {
        storageClass = var.storage_class
      }
    })],
    var.extra_values,
  )

  depends_on = [kubernetes_storage_class_v1.gp3]
}
