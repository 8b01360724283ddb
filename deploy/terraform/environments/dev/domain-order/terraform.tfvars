environment           = "dev"
region                = "ca-central-1"
db_instance_class     = "db.t4g.medium"
db_instance_count     = 1
backup_retention_days = 7
deletion_protection   = false
namespace_quota = {
  requests_cpu    = "160"
  requests_memory = "160Gi"
  limits_cpu      = "320"
  limits_memory   = "320Gi"
  pods            = 60
}
