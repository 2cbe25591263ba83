//! One file per record, replaced atomically (write a temporary file, fsync, rename, fsync the
//! directory), as the storage contract asks.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use openpgp_card_applet::platform::{RecordId, Storage, MAX_RECORD_LEN};

/// Storage in a directory: record `id` lives in the file `rec-XXXX` (hex id).
#[derive(Clone, Debug)]
pub struct FileStorage {
    dir: PathBuf,
}

impl FileStorage {
    /// Uses (and creates if needed) the directory `dir`.
    pub fn open(dir: impl AsRef<Path>) -> io::Result<FileStorage> {
        fs::create_dir_all(dir.as_ref())?;
        Ok(FileStorage {
            dir: dir.as_ref().to_path_buf(),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: RecordId) -> PathBuf {
        self.dir.join(std::format!("rec-{:04x}", id.0))
    }

    fn sync_dir(&self) -> io::Result<()> {
        // Directory fsync makes the rename durable; not every platform can open a directory.
        match fs::File::open(&self.dir) {
            Ok(dir) => dir.sync_all().or(Ok(())),
            Err(_) => Ok(()),
        }
    }
}

impl Storage for FileStorage {
    type Error = io::Error;

    fn read(&mut self, id: RecordId, buf: &mut [u8]) -> io::Result<Option<usize>> {
        let bytes = match fs::read(self.path(id)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let dst = buf
            .get_mut(..bytes.len())
            .ok_or_else(|| io::Error::other("record larger than buffer"))?;
        dst.copy_from_slice(&bytes);
        Ok(Some(bytes.len()))
    }

    fn write(&mut self, id: RecordId, data: &[u8]) -> io::Result<()> {
        if data.len() > MAX_RECORD_LEN {
            return Err(io::Error::other("record too large"));
        }
        let path = self.path(id);
        let tmp = path.with_extension("tmp");
        {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(data)?;
            file.sync_all()?;
        }
        fs::rename(&tmp, &path)?;
        self.sync_dir()
    }

    fn remove(&mut self, id: RecordId) -> io::Result<()> {
        match fs::remove_file(self.path(id)) {
            Ok(()) => self.sync_dir(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopen() {
        let dir = std::env::temp_dir().join(std::format!("opgp-file-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let mut storage = FileStorage::open(&dir).unwrap();
        storage.write(RecordId(2), b"hello").unwrap();
        let mut again = FileStorage::open(&dir).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(again.read(RecordId(2), &mut buf).unwrap(), Some(5));
        assert_eq!(&buf[..5], b"hello");
        again.remove(RecordId(2)).unwrap();
        assert_eq!(again.read(RecordId(2), &mut buf).unwrap(), None);
        fs::remove_dir_all(&dir).unwrap();
    }
}
