# What a domain's services need before their Helm charts are installed:
# the namespace microservices-<domain>-<environment> with quota and
# defaults, the IRSA role their ServiceAccounts assume, and the Secrets
# the charts read (database and object-storage credentials).

locals {
  namespace = "microservices-${var.domain}-${var.environment}"
  role_name = "microservices-${var.domain}-${var.environment}-irsa"
  issuer    = replace(var.oidc_issuer_url, "https://", "")
}

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = local.namespace
    labels = {
      "platform/domain"                    = var.domain
      "platform/environment"               = var.environment
      "pod-security.kubernetes.io/enforce" = "restricted"
      "pod-security.kubernetes.io/warn"    = "restricted"
    }
  }
}

resource "kubernetes_resource_quota_v1" "this" {
  metadata {
    name      = "compute"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  spec {
    hard = {
      "requests.cpu"    = var.quota.requests_cpu
      "requests.memory" = var.quota.requests_memory
      "limits.cpu"      = var.quota.limits_cpu
      "limits.memory"   = var.quota.limits_memory
      "pods"            = var.quota.pods
    }
  }
}

resource "kubernetes_limit_range_v1" "this" {
  metadata {
    name      = "defaults"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  spec {
    limit {
      type = "Container"
      default = {
        cpu    = "1"
        memory = "1Gi"
      }
      default_request = {
        cpu    = "250m"
        memory = "256Mi"
      }
    }
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringLike"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:${local.namespace}:*"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  name               = local.role_name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = merge(var.tags, { Domain = var.domain })
}

data "aws_iam_policy_document" "read_db_secret" {
  statement {
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [var.db_secret_arn]
  }
}

resource "aws_iam_role_policy" "read_db_secret" {
  name   = "read-db-secret"
  role   = aws_iam_role.irsa.id
  policy = data.aws_iam_policy_document.read_db_secret.json
}

resource "aws_iam_role_policy_attachment" "extra" {
  for_each   = toset(var.extra_policy_arns)
  role       = aws_iam_role.irsa.name
  policy_arn = each.value
}

data "aws_secretsmanager_secret_version" "db" {
  secret_id = var.db_secret_arn
}

resource "kubernetes_secret_v1" "db" {
  metadata {
    name      = "${var.domain}-db-credentials"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  data = {
    DB_HOST     = var.db_host
    DB_PORT     = tostring(var.db_port)
    DB_NAME     = var.db_name
    DB_USER     = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["username"]
    DB_PASSWORD = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["password"]
    DB_SSLMODE  = "require"
  }
}

# Keys match base-chart's objectStorage.credentialsSecret defaults.
resource "kubernetes_secret_v1" "object_storage" {
  metadata {
    name      = "object-storage-credentials"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  data = {
    "access-key" = var.object_storage_access_key
    "secret-key" = var.object_storage_secret_key
    "endpoint"   = var.object_storage_endpoint
  }
}
